/** How hard the client tries before giving up on a request. */
export interface RetryPolicy {
  /** Attempts per request, the first included. */
  maxAttempts: number
  /** First backoff delay; doubles each attempt, with full jitter. */
  baseDelayMs: number
  /**
   * Upper bound of one backoff delay. A registry's `Retry-After` is not cut to it: it is honoured
   * as asked while it fits in `maxElapsedMs`, else the request fails saying how long the registry asked to wait.
   */
  maxDelayMs: number
  /** No retry starts once this much time has passed since the first attempt (a download: since its last progress). */
  maxElapsedMs: number
  /** How long to wait for a response's headers (the request body included) before the attempt counts as failed. */
  requestTimeoutMs: number
  /**
   * How long a response body may send nothing while it is being read before the attempt counts as
   * failed (a stalled download is then resumed, within the attempts and time above).
   */
  idleTimeoutMs: number
}

/** Defaults: 5 attempts within a minute, what a CI job can afford on a flaky registry. */
export const defaultRetryPolicy: RetryPolicy = {
  maxAttempts: 5,
  baseDelayMs: 250,
  maxDelayMs: 10_000,
  maxElapsedMs: 60_000,
  requestTimeoutMs: 300_000,
  idleTimeoutMs: 30_000,
}

/** Statuses that say "try again later": rate limits and server-side failures. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 408 || (status >= 500 && status !== 501 && status !== 505)
}

/**
 * The backoff before attempt `attempt + 1`: exponential with full jitter, so many
 * clients retrying at once do not hit the registry in lock step.
 *
 * @example
 * ```ts
 * backoffDelay(defaultRetryPolicy, 2) // between 250 and 500
 * ```
 */
export function backoffDelay(policy: RetryPolicy, attempt: number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1))
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2))
}

/**
 * The wait a registry asked for in `Retry-After` (seconds or an HTTP date), in
 * milliseconds, as given; undefined when there is none or it does not parse.
 *
 * @example
 * ```ts
 * retryAfterMs('120') // 120000
 * ```
 */
export function retryAfterMs(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000
  const at = Date.parse(value)
  return Number.isNaN(at) ? undefined : Math.max(0, at - now)
}
