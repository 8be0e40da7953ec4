import { createHash, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'

/** The cookie a browser keeps the access token in after opening `/?token=…` once. */
export const tokenCookie = 'squizzle_console_token'

/**
 * Compares a presented token with the configured one in constant time. Both are hashed
 * first, so neither their content nor their length leaks through timing.
 *
 * @example
 * ```ts
 * tokensEqual('abc', 'abc') // true
 * ```
 */
export function tokensEqual(presented: string, expected: string): boolean {
  const a = createHash('sha256').update(presented, 'utf8').digest()
  const b = createHash('sha256').update(expected, 'utf8').digest()
  return timingSafeEqual(a, b)
}

/**
 * The token a request presents: `Authorization: Bearer …`, else the console's cookie.
 *
 * @example
 * ```ts
 * presentedToken(req) // 's3cret' or null
 * ```
 */
export function presentedToken(req: IncomingMessage): string | null {
  const header = req.headers.authorization
  if (header?.startsWith('Bearer ')) return header.slice('Bearer '.length).trim()
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [name, ...rest] = part.trim().split('=')
    if (name === tokenCookie) return decodeURIComponent(rest.join('='))
  }
  return null
}

/**
 * True for host names that only this machine reaches (IPv4/IPv6 loopback and `localhost`).
 *
 * @example
 * ```ts
 * isLoopbackHost('127.0.0.1') // true
 * isLoopbackHost('0.0.0.0')   // false
 * ```
 */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase()
  return bare === 'localhost' || bare === '::1' || /^127(\.\d{1,3}){3}$/.test(bare)
}
