import { createServer, request as httpRequest } from 'node:http'
import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** What the proxy does with one request. */
export type Fault =
  | { kind: 'forward' }
  /** Answer with this status (and a registry-style error body) without forwarding. */
  | { kind: 'status'; status: number; headers?: Record<string, string> }
  /** Forward, but send only the first half of the response body, then cut the connection. */
  | { kind: 'truncate' }
  /** Forward the headers and `fraction` (default half) of the body, then go silent with the connection open. */
  | { kind: 'stall'; fraction?: number }
  /** Forward, flipping one byte of the response body (same length). */
  | { kind: 'corrupt' }
  /** Forward without the request's `Range` header: a registry that ignores ranges. */
  | { kind: 'ignore-range' }
  /** Close the client's connection without an answer (like a registry that died). */
  | { kind: 'reset' }

/** One request as the proxy saw it. */
export interface SeenRequest {
  method: string
  /** Path and query. */
  url: string
  headers: IncomingHttpHeaders
}

/** Decides per request; `index` counts requests of the same method. */
export type FaultRule = (req: {
  method: string
  path: string
  index: number
  headers: IncomingHttpHeaders
}) => Fault | Promise<Fault>

/**
 * A loopback HTTP proxy in front of the real registry that injects faults, for
 * tests only: the registry behind it is real, the failures are the ones networks
 * and registries produce. The Host header is forwarded unchanged so the registry's
 * upload `Location`s point back through the proxy.
 */
export interface FaultProxy {
  host: string
  url(repository: string): string
  /** Requests seen, as `METHOD path` (without the query). */
  seen: string[]
  /** Requests seen, with query and headers. */
  requests: SeenRequest[]
  setRule(rule: FaultRule): void
  close(): Promise<void>
}

/**
 * Starts a fault proxy on 127.0.0.1 in front of `upstream` (`HOST:PORT`).
 *
 * @example
 * ```ts
 * const proxy = await startFaultProxy(registry.host)
 * proxy.setRule(({ method }) => (method === 'PATCH' ? { kind: 'status', status: 500 } : { kind: 'forward' }))
 * ```
 */
export async function startFaultProxy(upstream: string): Promise<FaultProxy> {
  const [upHost, upPort] = upstream.split(':') as [string, string]
  let rule: FaultRule = () => ({ kind: 'forward' })
  const seen: string[] = []
  const requests: SeenRequest[] = []
  const counts = new Map<string, number>()
  const server: Server = createServer((req, res) => {
    void handle(req, res)
  })
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET'
    const path = req.url ?? '/'
    const index = (counts.get(method) ?? 0) + 1
    counts.set(method, index)
    seen.push(`${method} ${path.split('?')[0]}`)
    requests.push({ method, url: path, headers: { ...req.headers } })
    const fault = await rule({ method, path, index, headers: req.headers })
    answer(req, res, fault, { host: upHost, port: Number(upPort) })
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    host,
    url: (repository) => `oci://${host}/${repository}?plain-http=true`,
    seen,
    requests,
    setRule(next) {
      rule = next
      counts.clear()
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** Resets the connection, answers with the injected status, or forwards (damaging the answer as `fault` says). */
function answer(req: IncomingMessage, res: ServerResponse, fault: Fault, upstream: { host: string; port: number }) {
  if (fault.kind === 'reset') {
    req.socket.destroy()
    return
  }
  if (fault.kind === 'status') {
    req.resume()
    res.writeHead(fault.status, { 'content-type': 'application/json', ...fault.headers })
    res.end(JSON.stringify({ errors: [{ code: 'UNKNOWN', message: `injected ${fault.status}` }] }))
    return
  }
  forward(req, res, upstream, fault)
}

/** Passes the request to the upstream (without its Range header for `ignore-range`), and relays the answer. */
function forward(req: IncomingMessage, res: ServerResponse, upstream: { host: string; port: number }, fault: Fault) {
  const method = req.method ?? 'GET'
  const path = req.url ?? '/'
  const headers = { ...req.headers }
  if (fault.kind === 'ignore-range') delete headers['range']
  const target = { ...upstream, method, path, headers }
  const upstreamReq = httpRequest(target, (up) => relay(up, res, method, fault))
  upstreamReq.on('error', () => {
    if (!res.headersSent) res.writeHead(502).end()
    else res.socket?.destroy()
  })
  req.pipe(upstreamReq)
}

/** Sends the upstream response on, damaged as `fault` says. */
function relay(up: IncomingMessage, res: ServerResponse, method: string, fault: Fault): void {
  const length = Number(up.headers['content-length'] ?? 0)
  res.writeHead(up.statusCode ?? 502, up.headers)
  if (fault.kind === 'forward' || fault.kind === 'ignore-range' || method === 'HEAD' || length === 0) {
    up.pipe(res)
    return
  }
  if (fault.kind === 'truncate' || fault.kind === 'stall') {
    const keep = Math.floor(length * (fault.kind === 'stall' ? (fault.fraction ?? 0.5) : 0.5))
    sendPrefix(up, res, keep, fault.kind === 'truncate')
    return
  }
  let sent = 0
  up.on('data', (chunk: Buffer) => {
    const copy = Buffer.from(chunk)
    const middle = Math.floor(length / 2) - sent
    if (middle >= 0 && middle < copy.length) copy[middle] = (copy[middle] ?? 0) ^ 0xff
    sent += chunk.length
    res.write(copy)
  })
  up.on('end', () => res.end())
}

/** Sends the first `keep` bytes of the body; then cuts the connection (`cut`) or goes silent with it open. */
function sendPrefix(up: IncomingMessage, res: ServerResponse, keep: number, cut: boolean): void {
  let sent = 0
  const done = () => {
    up.destroy()
    if (cut) res.socket?.destroy()
  }
  if (keep === 0) {
    res.flushHeaders()
    return done()
  }
  up.on('data', (chunk: Buffer) => {
    const room = keep - sent
    if (room <= 0) return
    sent += chunk.length
    if (sent < keep) {
      res.write(chunk)
      return
    }
    // Cut or stall once the prefix has reached the client, so it always sees a body cut short.
    res.write(chunk.subarray(0, room), done)
  })
}
