import type { IncomingMessage, ServerResponse } from 'node:http'
import { isLoopbackHost, presentedToken, tokenCookie, tokensEqual } from './auth.js'
import { send, securityHeaders } from './respond.js'

/** Host part of a `Host` header (`[::1]:4400` → `::1`). */
function hostName(header: string | undefined): string {
  if (!header) return ''
  if (header.startsWith('[')) return header.slice(1, header.indexOf(']'))
  return header.split(':')[0] ?? ''
}

function refuse(res: ServerResponse, status: number, code: string, message: string, json: boolean): void {
  if (json) send(res, status, 'application/json', JSON.stringify({ error: { code, message } }), [])
  else send(res, status, 'text/html', `<!doctype html><title>${status}</title><h1>${status}</h1><p>${message}</p>`, [])
}

/**
 * Lets a request through (returns true) or answers it. Without a token, the console
 * is loopback-only and refuses a `Host` that is not loopback, so a web page elsewhere
 * cannot reach it through DNS rebinding. With a token, every request must present it;
 * `?token=` sets a cookie and redirects to the same address without it.
 *
 * @example
 * ```ts
 * if (!admit(req, res, url, token)) return
 * ```
 */
export function admit(req: IncomingMessage, res: ServerResponse, url: URL, token: string | undefined): boolean {
  const json = url.pathname.startsWith('/api')
  if (!token) {
    if (isLoopbackHost(hostName(req.headers.host))) return true
    refuse(res, 403, 'FORBIDDEN_HOST', 'This console answers only on a loopback address.', json)
    return false
  }
  const fromQuery = url.searchParams.get('token')
  if (fromQuery !== null && tokensEqual(fromQuery, token)) {
    url.searchParams.delete('token')
    const cookie = `${tokenCookie}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`
    res.writeHead(303, { ...securityHeaders, location: `${url.pathname}${url.search}`, 'set-cookie': cookie })
    res.end()
    return false
  }
  const presented = presentedToken(req)
  if (presented !== null && tokensEqual(presented, token)) return true
  res.setHeader('www-authenticate', 'Bearer realm="squizzle-console"')
  refuse(
    res,
    401,
    'UNAUTHORIZED',
    'An access token is required: open the console with ?token=… once, or send Authorization: Bearer ….',
    json,
  )
  return false
}
