/** How hard the client tries before giving up on a request. */
export interface RetryPolicy {
  /** Attempts per request, the first included. */
  maxAttempts: number
  /** First backoff delay; doubles each attempt, with full jitter. */
  baseDelayMs: number
  /** Upper bound of one delay (also of a registry's `Retry-After`). */
  maxDelayMs: number
  /** No retry starts once this much time has passed since the first attempt. */
  maxElapsedMs: number
  /** How long to wait for a response's headers (the request body included) before the attempt counts as failed. */
  requestTimeoutMs: number
}

/** Defaults: 5 attempts within a minute, what a CI job can afford on a flaky registry. */
export const defaultRetryPolicy: RetryPolicy = {
  maxAttempts: 5,
  baseDelayMs: 250,
  maxDelayMs: 10_000,
  maxElapsedMs: 60_000,
  requestTimeoutMs: 300_000,
}

/** Statuses that say "try again later": rate limits and server-side failures. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 408 || (status >= 500 && status !== 501 && status !== 505)
}

/**
 * The delay before attempt `attempt + 1`: the registry's `Retry-After` when it sent
 * one (seconds or an HTTP date), else exponential backoff with full jitter, so many
 * clients retrying at once do not hit the registry in lock step.
 *
 * @example
 * ```ts
 * retryDelay(defaultRetryPolicy, 2, '3') // 3000
 * ```
 */
export function retryDelay(policy: RetryPolicy, attempt: number, retryAfter: string | null, now = Date.now()): number {
  const told = parseRetryAfter(retryAfter, now)
  if (told !== undefined) return Math.min(told, policy.maxDelayMs)
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1))
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2))
}

function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (!value) return undefined
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000
  const at = Date.parse(value)
  return Number.isNaN(at) ? undefined : Math.max(0, at - now)
}
