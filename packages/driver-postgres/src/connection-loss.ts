import { isSquizzleError, redactSecrets, SquizzleError } from '@squizzle/core'
import type { ConnectionTarget } from './connection-url.js'
import { databaseError } from './database-error.js'
import type { Session } from './work-session.js'

// postgres.js's own codes, and Node's for a socket that broke or never opened.
const clientCodes = new Set([
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'ERR_STREAM_DESTROYED',
  'ERR_STREAM_WRITE_AFTER_END',
])

// SQLSTATEs the server sends as it ends the session: administrator or crash shutdown,
// starting up, idle_session_timeout, idle-in-transaction and transaction timeouts.
const sessionEnding = new Set(['57P01', '57P02', '57P03', '57P05', '25P03', '25P04'])

/**
 * True when `err` means the session is gone (the socket broke, the server ended
 * the backend or cannot be reached): nothing more can run on that connection,
 * and an open transaction on it was rolled back by the server.
 *
 * @example
 * ```ts
 * isConnectionLoss(Object.assign(new Error('x'), { code: 'CONNECTION_CLOSED' })) // true
 * ```
 */
export function isConnectionLoss(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code
  if (typeof code !== 'string') return false
  return clientCodes.has(code) || sessionEnding.has(code) || /^08[0-9A-Z]{3}$/.test(code)
}

/**
 * `CONNECTION_LOST` for a failure `isConnectionLoss` recognised, naming what was
 * going on and where, never a secret.
 *
 * @example
 * ```ts
 * throw connectionLost(err, 'reading history', 'postgres://app:***@db/prod', [password])
 * ```
 */
export function connectionLost(
  err: unknown,
  doing: string,
  where: string,
  secrets: readonly string[],
  details: Record<string, unknown> = {},
): SquizzleError {
  const e = (err ?? {}) as { message?: string; code?: string }
  const reason = redactSecrets(e.message ?? String(err), secrets)
  return new SquizzleError('CONNECTION_LOST', `the connection to ${where} was lost while ${doing}: ${reason}`, {
    hint:
      'Check that the server is up and reachable (restarts, failovers, pg_terminate_backend, idle timeouts, ' +
      'proxies), then run the command again.',
    cause: err,
    details: { ...(e.code ? { errorCode: e.code } : {}), ...details },
  })
}

/**
 * Any failure of a query on `session` as a `SquizzleError`: a lost connection
 * (which marks the session lost, never to be used again) is `CONNECTION_LOST`,
 * a server error `DATABASE_ERROR` with SQLSTATE and position; `details` are added.
 *
 * @example
 * ```ts
 * throw sessionFailure(err, 'reading history', session, target)
 * ```
 */
export function sessionFailure(
  err: unknown,
  doing: string,
  session: Session,
  target: ConnectionTarget,
  details: Record<string, unknown> = {},
): SquizzleError {
  if (isSquizzleError(err)) return err
  if (session.lost || isConnectionLoss(err)) {
    session.lost = true
    return connectionLost(err, doing, target.display, target.secrets, details)
  }
  const wrapped = databaseError(err, doing, target.secrets)
  if (Object.keys(details).length === 0) return wrapped
  // databaseError wraps anything that is not a SquizzleError (handled above) as DATABASE_ERROR.
  const { hint, cause } = wrapped
  const merged = { ...wrapped.details, ...details }
  return new SquizzleError('DATABASE_ERROR', wrapped.message, { hint, cause, details: merged })
}

/**
 * The error for sending on a session known to have ended.
 *
 * @example
 * ```ts
 * if (session.lost) throw sessionEnded()
 * ```
 */
export function sessionEnded(): Error {
  return Object.assign(new Error('the session had already ended'), { code: 'CONNECTION_CLOSED' })
}
