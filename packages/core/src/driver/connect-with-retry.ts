import { setTimeout as sleep } from 'node:timers/promises'
import { isSquizzleError, SquizzleError } from '../errors/squizzle-error.js'
import { ignoreEvents, type EventSink } from '../events/events.js'
import type { DatabaseDriver } from './database-driver.js'

/**
 * How a driver marks a `CONNECTION_FAILED` that means the server is not up yet, in
 * `details.notReady`: `starting` (refused, reset, "the database system is starting
 * up") is retried until the timeout; `unresolved` (the host name does not resolve
 * yet, e.g. a Kubernetes Service created with its database) only briefly.
 */
export type NotReadyReason = 'starting' | 'unresolved'

export interface ConnectRetryOptions {
  /** How long to keep trying, in milliseconds; 0 tries once. */
  timeoutMs: number
  /** Receives a `connect.retry` event before each wait. */
  events?: EventSink
  /** How long an unresolvable host name is retried at most (default 10 s): after that it is a typo, not a race. */
  unresolvedForMs?: number
}

const firstDelayMs = 250
const maxDelayMs = 5_000
const defaultUnresolvedForMs = 10_000

/**
 * Connects the driver, retrying with exponential backoff and jitter while the
 * failure means the server is not up yet (a deploy job racing its database),
 * until `timeoutMs`. Anything else (a wrong password, an unknown database) is
 * thrown at once. After retries the error says how long it tried.
 *
 * @example
 * ```ts
 * await connectWithRetry(driver, { timeoutMs: 30_000, events: (e) => console.log(e) })
 * ```
 */
export async function connectWithRetry(
  driver: Pick<DatabaseDriver, 'connect'>,
  options: ConnectRetryOptions,
): Promise<void> {
  const events = options.events ?? ignoreEvents
  const started = Date.now()
  for (let attempt = 1; ; attempt++) {
    try {
      await driver.connect()
      return
    } catch (err) {
      const elapsedMs = Date.now() - started
      const waitMs = retryWait(err, attempt, elapsedMs, options, Math.random())
      if (waitMs === null) throw attempt === 1 ? err : gaveUp(err, attempt, elapsedMs)
      const { code, message } = describe(err)
      events({ type: 'connect.retry', attempt, reason: code, message, waitMs, elapsedMs, timeoutMs: options.timeoutMs })
      await sleep(waitMs)
    }
  }
}

/**
 * How long to wait before the next attempt, or null to give up: exponential from
 * 250 ms up to 5 s, with the upper half jittered (`random` in [0, 1)) so that many
 * jobs do not knock in step, and never past the deadline.
 *
 * @example
 * ```ts
 * retryWait(refused, 3, 2_000, { timeoutMs: 30_000 }, 0.5) // 750
 * ```
 */
export function retryWait(
  err: unknown,
  attempt: number,
  elapsedMs: number,
  options: ConnectRetryOptions,
  random: number,
): number | null {
  const reason = notReadyReason(err)
  if (reason === null) return null
  const limit =
    reason === 'unresolved'
      ? Math.min(options.timeoutMs, options.unresolvedForMs ?? defaultUnresolvedForMs)
      : options.timeoutMs
  const remaining = limit - elapsedMs
  if (remaining <= 0) return null
  const ceiling = Math.min(maxDelayMs, firstDelayMs * 2 ** Math.min(attempt - 1, 16))
  const jittered = Math.round(ceiling / 2 + (ceiling / 2) * random)
  return Math.max(1, Math.min(jittered, remaining))
}

/**
 * The driver's "not up yet" mark on a connection failure, or null when retrying cannot help.
 *
 * @example
 * ```ts
 * notReadyReason(new SquizzleError('CONNECTION_FAILED', '…', { details: { notReady: 'starting' } })) // 'starting'
 * ```
 */
export function notReadyReason(err: unknown): NotReadyReason | null {
  if (!isSquizzleError(err) || err.code !== 'CONNECTION_FAILED') return null
  const reason = err.details?.['notReady']
  return reason === 'starting' || reason === 'unresolved' ? reason : null
}

function describe(err: unknown): { code: string; message: string } {
  const errorCode = isSquizzleError(err) ? err.details?.['errorCode'] : undefined
  return {
    code: typeof errorCode === 'string' ? errorCode : 'CONNECTION_FAILED',
    message: err instanceof Error ? err.message : String(err),
  }
}

function gaveUp(err: unknown, attempts: number, elapsedMs: number): SquizzleError {
  const seconds = Math.round(elapsedMs / 100) / 10
  const last = err as SquizzleError
  return new SquizzleError(
    'CONNECTION_FAILED',
    `${last.message} (gave up after ${attempts} attempts in ${seconds} s)`,
    {
      hint:
        'The server did not accept connections within the connect timeout. Check that it is starting ' +
        'and reachable at that host and port, or wait longer (raise the connect timeout).',
      cause: last.cause ?? err,
      details: { ...last.details, attempts, elapsedMs },
    },
  )
}
