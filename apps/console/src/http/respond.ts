import type { ServerResponse } from 'node:http'
import { redactSecrets } from '@squizzle/core'

/**
 * The headers every response carries. The CSP allows only the console's own stylesheet
 * and script: no inline code, no other origin, no framing, so escaped-but-hostile text
 * from a registry or a database can never run.
 */
export const securityHeaders: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
}

/**
 * Sends a response body, with every configured secret redacted as a last line of
 * defence (nothing shown should contain one in the first place).
 *
 * @example
 * ```ts
 * send(res, 200, 'application/json', JSON.stringify(data), secrets)
 * ```
 */
export function send(
  res: ServerResponse,
  status: number,
  type: string,
  body: string,
  secrets: readonly string[],
): void {
  const text = redactSecrets(body, secrets)
  res.writeHead(status, {
    ...securityHeaders,
    'content-type': `${type}; charset=utf-8`,
    'content-length': Buffer.byteLength(text),
  })
  res.end(text)
}

/**
 * Sends JSON.
 *
 * @example
 * ```ts
 * sendJson(res, 404, { error: { code: 'VERSION_NOT_FOUND', message: '…' } }, secrets)
 * ```
 */
export function sendJson(res: ServerResponse, status: number, data: unknown, secrets: readonly string[]): void {
  send(res, status, 'application/json', JSON.stringify(data, null, 2), secrets)
}
