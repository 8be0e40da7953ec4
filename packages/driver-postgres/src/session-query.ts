import type { Sql } from 'postgres'
import { sessionEnded, sessionFailure } from './connection-loss.js'
import type { ConnectionTarget } from './connection-url.js'
import { inTransaction, type Session } from './work-session.js'

/** Runs `fn` on a connection, turning its failure into a typed error about `doing`. */
export type Query = <T>(
  doing: string,
  fn: (sql: Sql, session: Session) => Promise<T>,
  details?: Record<string, unknown>,
) => Promise<T>

/** Where a query runs: a session, the `sql` to send on (the session's, or its open transaction's). */
export interface SessionRef {
  session: Session
  sql: Sql
  /** True inside a transaction: once the session is lost, the transaction is gone and nothing is sent. */
  inTransaction: boolean
}

/**
 * A {@link Query} on the connection `ref()` names at each call (the work session is
 * replaced between calls when it was lost; a transaction's never is).
 *
 * @example
 * ```ts
 * const query = sessionQuery(target, () => ({ session, sql: session.sql, inTransaction: false }))
 * await query('reading history', (sql) => readHistory(sql))
 * ```
 */
export function sessionQuery(target: ConnectionTarget, ref: () => SessionRef): Query {
  return async (doing, fn, details = {}) => {
    const { session, sql, inTransaction: bound } = ref()
    if (session.lost && bound) throw sessionFailure(sessionEnded(), doing, session, target, details)
    try {
      return await fn(sql, session)
    } catch (err) {
      throw sessionFailure(err, doing, session, target, details)
    }
  }
}

/**
 * Runs `fn` in a transaction on `session` (see `inTransaction`), with a lost
 * connection reported as `CONNECTION_LOST` (`details.during: 'commit'` when the
 * outcome of the COMMIT is unknown).
 *
 * @example
 * ```ts
 * await transactionOn(target, session, (tx) => tx`INSERT INTO t VALUES (1)`)
 * ```
 */
export function transactionOn<T>(
  target: ConnectionTarget,
  session: Session,
  fn: (tx: Sql) => Promise<T>,
  begin?: (sql: Sql) => Promise<unknown>,
): Promise<T> {
  const doing = 'running a transaction'
  return inTransaction(session, fn, {
    ...(begin ? { begin } : {}),
    lost: (err, during) =>
      during === 'commit'
        ? sessionFailure(err, 'committing a transaction (its outcome is unknown)', session, target, {
            during: 'commit',
          })
        : sessionFailure(err, doing, session, target),
  }).catch((err: unknown) => {
    throw sessionFailure(err, doing, session, target)
  })
}
