import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** What the proxy does with one request. */
export type Fault =
  | { kind: 'forward' }
  /** Answer with this status (and a registry-style error body) without forwarding. */
  | { kind: 'status'; status: number; headers?: Record<string, string> }
  /** Forward, but send only the first half of the response body, then cut the connection. */
  | { kind: 'truncate' }
  /** Forward, flipping one byte of the response body (same length). */
  | { kind: 'corrupt' }
  /** Close the client's connection without an answer (like a registry that died). */
  | { kind: 'reset' }

/** Decides per request; `index` counts requests of the same method. */
export type FaultRule = (req: { method: string; path: string; index: number }) => Fault | Promise<Fault>

/**
 * A loopback HTTP proxy in front of the real registry that injects faults, for
 * tests only: the registry behind it is real, the failures are the ones networks
 * and registries produce. The Host header is forwarded unchanged so the registry's
 * upload `Location`s point back through the proxy.
 */
export interface FaultProxy {
  host: string
  url(repository: string): string
  /** Requests seen, as `METHOD path`. */
  seen: string[]
  setRule(rule: FaultRule): void
  close(): Promise<void>
}

export async function startFaultProxy(upstream: string): Promise<FaultProxy> {
  const [upHost, upPort] = upstream.split(':') as [string, string]
  let rule: FaultRule = () => ({ kind: 'forward' })
  const seen: string[] = []
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
    const fault = await rule({ method, path, index })
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
    const upstreamReq = httpRequest({ host: upHost, port: Number(upPort), method, path, headers: req.headers }, (up) => {
      const length = Number(up.headers['content-length'] ?? 0)
      res.writeHead(up.statusCode ?? 502, up.headers)
      if (fault.kind === 'forward' || method === 'HEAD' || length === 0) {
        up.pipe(res)
        return
      }
      let sent = 0
      up.on('data', (chunk: Buffer) => {
        if (fault.kind === 'truncate') {
          const room = Math.floor(length / 2) - sent
          sent += chunk.length
          if (room <= 0) return
          if (sent < length / 2) {
            res.write(chunk)
            return
          }
          // Cut the connection once the first half has reached the client, so it always sees a body cut short.
          up.destroy()
          res.write(chunk.subarray(0, room), () => res.socket?.destroy())
          return
        }
        const copy = Buffer.from(chunk)
        const middle = Math.floor(length / 2) - sent
        if (middle >= 0 && middle < copy.length) copy[middle] = (copy[middle] ?? 0) ^ 0xff
        sent += chunk.length
        res.write(copy)
      })
      up.on('end', () => res.end())
    })
    upstreamReq.on('error', () => {
      if (!res.headersSent) res.writeHead(502).end()
      else res.socket?.destroy()
    })
    req.pipe(upstreamReq)
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    host,
    url: (repository) => `oci://${host}/${repository}?plain-http=true`,
    seen,
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
