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
  /** The tenant schema this session's `search_path` is pinned to, if any (see `openSession`). */
  readonly searchPath?: string | undefined
}

/**
 * A session over `open(onclose)`, marked lost as soon as its connection closes. With
 * `searchPath` (a tenant schema), `SET search_path` is the first thing the session sends
 * (postgres.js sends one connection's queries in order); if that fails, the session is
 * retired, so nothing ever runs on it with another search_path.
 *
 * @example
 * ```ts
 * const session = openSession((onclose) => postgres(url, { max: 1, onclose }), 'acme')
 * ```
 */
export function openSession(open: (onclose: () => void) => Sql, searchPath?: string): Session {
  const session: { sql?: Sql; lost: boolean; searchPath?: string } = { lost: false }
  session.sql = open(() => {
    session.lost = true
  })
  if (searchPath === undefined) return session as Session
  session.searchPath = searchPath
  const sql = session.sql
  sql`SET search_path TO ${sql(searchPath)}`.execute().catch(() => {
    session.lost = true
    void sql.end({ timeout: 0 }).catch(() => undefined)
  })
  return session as Session
}

/**
 * Sets `search_path` back to the session's tenant schema (after a `RESET ALL`), on `sql`:
 * the session's, or its open transaction's. Nothing for a session without one.
 *
 * @example
 * ```ts
 * await sql.unsafe(resetSession).simple()
 * await restoreSearchPath(sql, session)
 * ```
 */
export async function restoreSearchPath(sql: Sql, session: Session): Promise<void> {
  if (session.searchPath !== undefined) await sql`SET search_path TO ${sql(session.searchPath)}`
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
