import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { isSquizzleError, SquizzleError } from '@squizzle/core'
import { ReleaseReader } from './data/releases.js'
import { TargetReader } from './data/targets.js'
import { layout } from './html/layout.js'
import { readAsset } from './http/assets.js'
import { isLoopbackHost } from './http/auth.js'
import { admit } from './http/guard.js'
import { send, sendJson } from './http/respond.js'
import type { ConsoleOptions } from './options.js'
import { consoleVersion } from './version.js'
import { apiIndexView, pulse, routeView, unknownView, type View, type ViewContext } from './views.js'

/** A running console. */
export interface ConsoleServer {
  /** Where it listens, e.g. `http://127.0.0.1:4400`. */
  readonly url: string
  readonly host: string
  readonly port: number
  readonly server: Server
  /** Stops listening and closes every database connection the console opened. */
  close(): Promise<void>
}

/**
 * Starts the read-only web console: the release list, release pages, the targets grid,
 * per-target history, lock and drift, and the schema browser, each with a JSON endpoint.
 * Binds 127.0.0.1 by default; another host needs `token` (`USAGE` otherwise).
 *
 * @example
 * ```ts
 * const console = await createConsoleServer({ storage, targets: [{ name: 'dev', location: url, connect }], port: 0 })
 * // open console.url; later:
 * await console.close()
 * ```
 */
export async function createConsoleServer(options: ConsoleOptions): Promise<ConsoleServer> {
  const host = options.host ?? '127.0.0.1'
  if (!isLoopbackHost(host) && !options.token) {
    throw new SquizzleError(
      'USAGE',
      `the console would listen on ${host}, which is not loopback, without an access token`,
      {
        hint:
          'Pass --token (or SQUIZZLE_CONSOLE_TOKEN) to serve it beyond this machine, ' +
          'or keep the default --host 127.0.0.1.',
      },
    )
  }
  const secrets = [...(options.secrets ?? []), ...(options.token ? [options.token] : [])]
  const ctx = viewContext(options)
  const pollMs = options.pollMs ?? 2000
  const server = createServer((req, res) => {
    handle(req, res, { ctx, token: options.token, secrets, pollMs }).catch((err: unknown) => failed(res, err, secrets))
  })
  await listen(server, options.port ?? 4400, host)
  const port = (server.address() as AddressInfo).port
  const shown = host.includes(':') ? `[${host}]` : host
  return {
    url: `http://${shown}:${port}`,
    host,
    port,
    server,
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await ctx.targets.close()
    },
  }
}

/** The readers every view reads through, over the options' storage, targets and policy. */
function viewContext(options: ConsoleOptions): ViewContext {
  const { storage, policy, limits } = options
  const toolVersion = options.toolVersion ?? consoleVersion
  return {
    releases: new ReleaseReader(storage, policy, limits),
    targets: new TargetReader(storage, options.targets ?? [], policy, limits, toolVersion),
    storageName: storage.name,
    pageSize: options.pageSize ?? 25,
  }
}

/** Listens, turning a taken port into `PORT_IN_USE`. */
async function listen(server: Server, port: number, host: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EADDRINUSE') return reject(err)
      reject(
        new SquizzleError('PORT_IN_USE', `port ${port} on ${host} is already in use`, {
          hint: 'Pick another one with --port, or stop what listens there.',
          cause: err,
        }),
      )
    })
    server.listen(port, host, () => resolve())
  })
}

interface Handling {
  ctx: ViewContext
  token: string | undefined
  secrets: readonly string[]
  pollMs: number
}

async function handle(req: IncomingMessage, res: ServerResponse, h: Handling): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://console.invalid')
  if (!admit(req, res, url, h.token)) return
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('allow', 'GET, HEAD')
    return sendJson(res, 405, { error: { code: 'METHOD_NOT_ALLOWED', message: 'the console is read-only' } }, h.secrets)
  }
  const path = url.pathname
  if (path === '/' || path === '') {
    res.writeHead(302, { location: '/releases' })
    return void res.end()
  }
  const asset = await readAsset(path)
  if (asset) return send(res, 200, asset.type, asset.body, [])
  if (path === '/api/pulse') return sendJson(res, 200, await pulse(h.ctx), h.secrets)
  const api = path === '/api' || path.startsWith('/api/')
  const inner = api ? path.slice('/api'.length) : path
  const view =
    inner === '' || inner === '/'
      ? apiIndexView()
      : ((await routeView(h.ctx, inner, url.searchParams)) ?? unknownView(path))
  if (api) return sendJson(res, view.status, view.json, h.secrets)
  sendPage(res, view, h)
}

function sendPage(res: ServerResponse, view: View, h: Handling): void {
  const page = layout({
    title: view.title,
    section: view.section,
    body: view.body,
    pollMs: view.status === 200 ? h.pollMs : 0,
  })
  send(res, view.status, 'text/html', page.value, h.secrets)
}

function failed(res: ServerResponse, err: unknown, secrets: readonly string[]): void {
  const error = isSquizzleError(err)
    ? { code: err.code, message: err.message, hint: err.hint ?? null }
    : { code: 'UNEXPECTED', message: err instanceof Error ? err.message : String(err), hint: null }
  if (res.headersSent) return void res.end()
  sendJson(res, 500, { error }, secrets)
}
