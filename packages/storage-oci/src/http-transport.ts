// node:http(s) is the HTTP client, not the global fetch: it ships with Node, streams in both
// directions without copying (fetch copies every request body and wraps downloads in web
// streams, which doubled memory and time on 200 MB bundles), and keeps connections alive
// through an Agent. Redirects are followed by hand so the Authorization header never leaves
// the registry's origin.
import { Agent as HttpAgent, request as httpRequest } from 'node:http'
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https'
import type { Readable } from 'node:stream'
import { isSquizzleError } from '@squizzle/core'
import { HttpResponse } from './http-response.js'
import { backoffDelay, isRetryableStatus, retryAfterMs, type RetryPolicy } from './retry-policy.js'

/**
 * One HTTP request to a registry. An in-memory body can be sent again on retry;
 * a streamed one only once (callers send those with a single attempt).
 */
export interface HttpRequest {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  url: string
  headers: Record<string, string>
  body?: Uint8Array | Readable
}

/** What failed when no response came back at all (refused, reset, timed out). */
export class NetworkFailure extends Error {
  constructor(
    readonly reason: string,
    readonly attempts: number,
    cause: unknown,
  ) {
    super(reason, { cause })
  }
}

/** A registry asked (`Retry-After`) to wait longer than the retry budget has left: failing now beats waiting past it.*/
export class RetryAfterRefused extends Error {
  constructor(
    readonly status: number,
    readonly retryAfterMs: number,
    readonly budgetMs: number,
    readonly attempts: number,
  ) {
    super(`HTTP ${status}, and the registry asked to wait ${Math.ceil(retryAfterMs / 1000)} s (Retry-After)`)
  }
}

// Connection pools shared by every client in the process, like fetch's global dispatcher:
// a pool per registry client would open new connections for every storage object.
const agents = {
  http: new HttpAgent({ keepAlive: true, maxSockets: 16 }),
  https: new HttpsAgent({ keepAlive: true, maxSockets: 16 }),
}
const maxRedirects = 5

/**
 * Sends a request, retrying connection failures, timeouts, 429 and 5xx with
 * backoff and jitter within the policy's attempts and time budget. A registry's
 * `Retry-After` is honoured as asked when it fits in the budget; when it does not,
 * {@link RetryAfterRefused} says so at once instead of waiting less than asked.
 * Returns the last response, whatever its status; throws {@link NetworkFailure}
 * when no response came back.
 *
 * @example
 * ```ts
 * const res = await sendWithRetries({ method: 'GET', url, headers: {} }, defaultRetryPolicy)
 * ```
 */
export async function sendWithRetries(request: HttpRequest, policy: RetryPolicy): Promise<HttpResponse> {
  const started = Date.now()
  for (let attempt = 1; ; attempt++) {
    let response: HttpResponse | undefined
    let failure: unknown
    try {
      response = await sendFollowingRedirects(request, policy)
    } catch (err) {
      // A typed error from the request body's source (not the network) is final.
      if (isSquizzleError(err)) throw err
      failure = err
    }
    const retryable = response === undefined ? isTransientNetworkError(failure) : isRetryableStatus(response.status)
    const giveUp = () => {
      if (response) return response
      throw new NetworkFailure(describeNetworkError(failure), attempt, failure)
    }
    if (!retryable || attempt >= policy.maxAttempts) return giveUp()
    const asked = response ? retryAfterMs(response.headers.get('retry-after')) : undefined
    const delay = asked ?? backoffDelay(policy, attempt)
    if (Date.now() + delay - started > policy.maxElapsedMs) {
      if (asked === undefined || !response) return giveUp()
      await response.discard()
      throw new RetryAfterRefused(response.status, asked, policy.maxElapsedMs, attempt)
    }
    await response?.discard()
    await new Promise((resolve) => setTimeout(resolve, delay))
  }
}

async function sendFollowingRedirects(request: HttpRequest, policy: RetryPolicy): Promise<HttpResponse> {
  let url = request.url
  let headers = request.headers
  for (let hop = 0; ; hop++) {
    const response = await sendOnce({ ...request, url, headers }, policy)
    const location = response.headers.get('location')
    const redirect =
      [301, 302, 303, 307, 308].includes(response.status) &&
      location &&
      (request.method === 'GET' || request.method === 'HEAD')
    if (!redirect || hop >= maxRedirects) return response
    await response.discard()
    const next = new URL(location, url)
    // Blob downloads are often redirected to a CDN or bucket: our credentials stay with the registry.
    if (next.origin !== new URL(url).origin) {
      const { authorization: _drop, ...rest } = headers
      headers = rest
    }
    url = next.toString()
  }
}

function sendOnce(request: HttpRequest, policy: RetryPolicy): Promise<HttpResponse> {
  const timeoutMs = policy.requestTimeoutMs
  return new Promise((resolve, reject) => {
    const url = new URL(request.url)
    const secure = url.protocol === 'https:'
    const send = secure ? httpsRequest : httpRequest
    const req = send(url, {
      method: request.method,
      headers: request.headers,
      agent: secure ? agents.https : agents.http,
    })
    // The timer covers sending the body and receiving the headers; the body is then watched for stalls on its own.
    const timer = setTimeout(
      () => req.destroy(Object.assign(new Error(`no response within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })),
      timeoutMs,
    )
    let settled = false
    const fail = (err: unknown) => {
      clearTimeout(timer)
      if (!settled) reject(err)
      settled = true
    }
    req.once('response', (message) => {
      clearTimeout(timer)
      settled = true
      resolve(new HttpResponse(message, request.method, policy.idleTimeoutMs))
    })
    req.once('error', fail)
    const body = request.body
    if (body === undefined || body instanceof Uint8Array) {
      req.end(body)
      return
    }
    // The source's own error (e.g. a short read) is what the caller needs to see, not the aborted socket.
    body.once('error', (err) => {
      fail(err)
      req.destroy()
    })
    body.pipe(req)
  })
}

/**
 * Connection refused or reset, timeouts, DNS hiccups: worth another attempt. TLS and
 * certificate failures (e.g. HTTPS to a plain-HTTP registry) and unknown hosts are not:
 * retrying them only delays the real answer.
 */
function isTransientNetworkError(err: unknown): boolean {
  const code = String((err as NodeJS.ErrnoException | undefined)?.code ?? '')
  return !/^(ERR_SSL|ERR_TLS|EPROTO|CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|ENOTFOUND|ERR_INVALID|HPE_)/.test(code)
}

/** `ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:5000`, and a plain word for TLS spoken to a plain-HTTP server. */
function describeNetworkError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER')
    return `${code}: TLS handshake failed; the registry seems to speak plain HTTP`
  const message = (err instanceof Error ? err.message : String(err)).split('\n')[0]!
  return code && !message.includes(code) ? `${code}: ${message}` : message
}
