import { SquizzleError } from '@squizzle/core'
import type { Sql } from 'postgres'
import { isConnectionLoss } from './connection-loss.js'

/**
 * One postgres.js connection (`max: 1`) and whether it has closed. Once `lost`,
 * the session, its settings and any transaction on it are gone: nothing may be
 * sent on it again. postgres.js would reconnect silently, and writing to a
 * connection whose socket closed crashes the process from a timer
 * (porsager/postgres#1208), so a lost session is replaced, never reused.
 */
export interface Session {
  readonly sql: Sql
  lost: boolean
}

/**
 * A session over `open(onclose)`, marked lost as soon as its connection closes.
 *
 * @example
 * ```ts
 * const session = openSession((onclose) => postgres(url, { max: 1, onclose }))
 * ```
 */
export function openSession(open: (onclose: () => void) => Sql): Session {
  const session: { sql?: Sql; lost: boolean } = { lost: false }
  session.sql = open(() => {
    session.lost = true
  })
  return session as Session
}

/** How a transaction starts, and what to throw when its connection is lost. */
export interface TransactionOptions {
  /** Sends the BEGIN (a tagged template, like every query); default plain `BEGIN`. */
  begin?: (sql: Sql) => Promise<unknown>
  /** The error for a lost connection; `during: 'commit'` means the outcome is unknown. */
  lost: (err: unknown, during: 'transaction' | 'commit') => Error
}

/**
 * Runs `fn` in a transaction on a reserved connection of `session`, committing
 * when it resolves and rolling back when it throws. Unlike postgres.js's
 * `begin`, nothing is sent once the connection is lost (no ROLLBACK onto a dead
 * socket): the session is marked lost, and the server has rolled back.
 *
 * @example
 * ```ts
 * await inTransaction(session, (tx) => tx`INSERT INTO t VALUES (1)`, { lost: (err) => err as Error })
 * ```
 */
export async function inTransaction<T>(
  session: Session,
  fn: (tx: Sql) => Promise<T>,
  options: TransactionOptions,
): Promise<T> {
  if (session.lost) throw options.lost(lostEarlier(), 'transaction')
  let during: 'transaction' | 'commit' = 'transaction'
  let reserved: ReservedSql | undefined
  try {
    reserved = await session.sql.reserve()
    await (options.begin ?? ((sql: Sql) => sql`BEGIN`))(reserved)
    const result = await fn(reserved)
    if (session.lost) throw lostEarlier()
    during = 'commit'
    const done = await reserved`COMMIT`
    // COMMIT of a transaction an error aborted answers ROLLBACK instead of failing.
    if (done.command === 'ROLLBACK') {
      throw new SquizzleError('DATABASE_ERROR', 'the server rolled the transaction back instead of committing it')
    }
    reserved.release()
    return result
  } catch (err) {
    if (session.lost || isConnectionLoss(err)) {
      session.lost = true
      throw options.lost(err, during)
    }
    if (reserved) await rollback(session, reserved)
    throw err
  }
}

type ReservedSql = Sql & { release(): void }

async function rollback(session: Session, reserved: ReservedSql): Promise<void> {
  try {
    await reserved`ROLLBACK`
    reserved.release()
  } catch {
    // The failure that led here is what the caller reports. A connection that cannot
    // roll back is retired (the server rolls back when the session ends) and stays
    // reserved, so nothing else ever runs on it.
    session.lost = true
  }
}

function lostEarlier(): Error {
  return Object.assign(new Error('the session had already ended'), { code: 'CONNECTION_CLOSED' })
}

/**
 * Runs `fn` under a savepoint of `tx` that is always rolled back, so what `fn`
 * does (e.g. the `SET LOCAL`s of a catalog read) never outlives it, while it sees
 * the transaction's uncommitted changes.
 *
 * @example
 * ```ts
 * const rows = await inRolledBackSavepoint(session, tx, 1, (inner) => inner`SELECT 1`)
 * ```
 */
export async function inRolledBackSavepoint<T>(
  session: Session,
  tx: Sql,
  depth: number,
  fn: (tx: Sql) => Promise<T>,
): Promise<T> {
  const name = `squizzle_${depth}`
  await tx`SAVEPOINT ${tx(name)}`
  try {
    return await fn(tx)
  } finally {
    if (!session.lost) {
      await tx`ROLLBACK TO SAVEPOINT ${tx(name)}`
      await tx`RELEASE SAVEPOINT ${tx(name)}`
    }
  }
}
