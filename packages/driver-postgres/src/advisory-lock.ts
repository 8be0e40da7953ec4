import { SquizzleError, type LockHolderInfo, type MigrationLock } from '@squizzle/core'
import type { Sql } from 'postgres'
import { lockKey, type LockKey } from './tenant-schema.js'
import { pipelined } from './pipelined.js'
import { inTransaction, type Session } from './work-session.js'

export { lockKey }

const pollMinMs = 100
const pollMaxMs = 1000

export interface AcquireOptions {
  timeoutMs: number
  /** The key to take (a tenant's, see `tenantScope`); default {@link lockKey}. */
  key?: LockKey | undefined
  onWait?: ((holder: LockHolderInfo | null, waitedMs: number) => void) | undefined
}

/** A taken lock, with the backend that holds it, so that it can be proven later. */
export interface HeldLock extends MigrationLock {
  /** The lock session's backend pid and start time (microseconds since the epoch, as text). */
  readonly pid: number
  readonly backendStart: string
  readonly released: boolean
  /** The session that took it: when it is lost, so is the lock. */
  readonly session: Session
  readonly key: LockKey
}

/**
 * Takes the migration lock on the dedicated lock session by polling
 * `pg_try_advisory_lock`. Polling, not blocking: a session blocked in
 * `pg_advisory_lock` holds a snapshot that makes the holder's
 * `CREATE INDEX CONCURRENTLY` wait for it forever. The backend that took it is
 * remembered (pid and start time) for {@link assertLockHeld}. `witness` gives the
 * work session when the lock is taken (it may be replaced while the lock is awaited).
 *
 * @example
 * ```ts
 * const lock = await acquireLock(lockSession, () => workSession, { timeoutMs: 60_000 })
 * try { … } finally { await lock.release() }
 * ```
 */
export async function acquireLock(lock: Session, witness: () => Session, options: AcquireOptions): Promise<HeldLock> {
  const started = Date.now()
  const key = options.key ?? lockKey
  let delay = pollMinMs
  for (;;) {
    // Ended while waiting: nothing was held yet, so this is a lost connection, not a lost lock.
    if (lock.lost) throw Object.assign(new Error('the lock session ended while waiting'), { code: 'CONNECTION_CLOSED' })
    const [row] = await lock.sql<{ locked: boolean; pid: number; started: string }[]>`
      SELECT pg_try_advisory_lock(${key.classid}::int, ${key.objid}::int) AS locked, pg_backend_pid() AS pid,
        (SELECT (extract(epoch FROM backend_start) * 1000000)::bigint::text
         FROM pg_stat_activity WHERE pid = pg_backend_pid()) AS started`
    if (row?.locked) {
      const held = heldLock(lock, key, row.pid, row.started)
      try {
        await assertSessionLock(lock, witness(), row.pid)
      } catch (err) {
        await held.release().catch(() => undefined)
        throw err
      }
      return held
    }
    const waited = Date.now() - started
    const holder = await findLockHolder(lock.sql, key)
    if (waited >= options.timeoutMs) {
      throw new SquizzleError(
        'LOCK_TIMEOUT',
        `another migration holds the lock${describeHolder(holder)}; waited ${Math.round(waited / 1000)} s`,
        {
          hint:
            'Wait for the other migration to finish, or raise the lock timeout. If its process is gone, the server ' +
            'released the lock already; if it is stuck, end that backend with pg_terminate_backend(pid).',
          details: { holder, waitedMs: waited },
        },
      )
    }
    options.onWait?.(holder, waited)
    await sleep(Math.min(delay, Math.max(0, options.timeoutMs - waited)))
    delay = Math.min(pollMaxMs, delay * 2)
  }
}

/**
 * Proves from `sql`'s own connection (inside its transaction, if any) that the
 * lock is still granted to the backend that took it; throws `LOCK_LOST` otherwise.
 * A reconnected lock session is a new backend, so it proves nothing.
 *
 * @example
 * ```ts
 * await assertLockHeld(txSql, lock, lock.session) // just before COMMIT
 * ```
 */
export async function assertLockHeld(sql: Sql, lock: HeldLock | undefined, session?: Session): Promise<void> {
  if (!lock || lock.released || !session) {
    throw new SquizzleError('LOCK_LOST', 'no migration lock is held by this driver', {
      hint: 'Take the lock with driver.lock() first; Squizzle commits migrations only while it holds the lock.',
    })
  }
  if (session.lost) throw lockSessionEnded(lock.pid)
  // pg_stat_activity is read from a snapshot kept for the rest of the transaction; take a fresh one.
  // Schema-qualified: this runs inside migration transactions, whose search_path the SQL may have changed.
  await sql`SELECT pg_catalog.pg_stat_clear_snapshot()`
  const [row] = await sql<{ held: boolean }[]>`
    SELECT EXISTS (
      SELECT 1 FROM pg_catalog.pg_locks l JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND l.pid = ${lock.pid}::int
        AND (extract(epoch FROM a.backend_start) * 1000000)::bigint::text = ${lock.backendStart}
        AND l.classid = ${lock.key.classid}::int::oid AND l.objid = ${lock.key.objid}::int::oid AND l.objsubid = 2
        AND l.database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = pg_catalog.current_database())
    ) AS held`
  if (!row?.held) throw lockSessionEnded(lock.pid)
}

/**
 * Who holds the migration lock (`key`: a tenant's, default the database's) in the current database, or null.
 *
 * @example
 * ```ts
 * const holder = await findLockHolder(sql) // { pid: 4242, applicationName: 'squizzle', … }
 * ```
 */
export async function findLockHolder(sql: Sql, key: LockKey = lockKey): Promise<LockHolderInfo | null> {
  const [row] = await sql<
    {
      pid: number
      application_name: string | null
      client_addr: string | null
      usename: string | null
      since: Date | null
    }[]
  >`
    SELECT l.pid, a.application_name, host(a.client_addr) AS client_addr, a.usename, a.state_change AS since
    FROM pg_locks l
    LEFT JOIN pg_stat_activity a ON a.pid = l.pid
    WHERE l.locktype = 'advisory' AND l.granted
      AND l.classid = ${key.classid}::int::oid AND l.objid = ${key.objid}::int::oid AND l.objsubid = 2
      AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
    LIMIT 1`
  if (!row) return null
  return {
    pid: row.pid,
    applicationName: row.application_name || null,
    clientAddress: row.client_addr,
    user: row.usename,
    since: row.since ? row.since.toISOString() : null,
  }
}

/**
 * Behind a pooler in transaction mode (PgBouncer), each statement may run on
 * another server connection, so a session lock protects nothing. Idle poolers
 * hand the same server connection back (LIFO), which would hide that; so the
 * witness connection first occupies a server connection inside a transaction,
 * then the lock connection must still be on the backend that took the lock.
 * On a direct connection the two are always different backends.
 *
 * The lock session's next statement only asks for its backend: being on the backend
 * that was granted the session lock is what this proves. pg_locks is not read here;
 * whether the lock is still granted is proven where it matters, inside every
 * migration transaction before it commits (`assertLockHeld`). The witness's BEGIN and
 * its pid travel together (pipelined; its transaction only reads).
 */
async function assertSessionLock(lock: Session, witness: Session, pid: number): Promise<void> {
  let nextPid: number | null = null
  let witnessPid: number | null = null
  const begin = async (tx: Sql) => {
    const [, [w]] = await pipelined([tx`BEGIN`, tx<{ pid: number }[]>`SELECT pg_backend_pid() AS pid`])
    witnessPid = w?.pid ?? null
  }
  await inTransaction(
    witness,
    async () => {
      const [row] = await lock.sql<{ pid: number }[]>`SELECT pg_backend_pid() AS pid`
      nextPid = row?.pid ?? null
    },
    { begin, lost: (err) => err as Error },
  )
  if (nextPid === pid && witnessPid !== pid) return
  throw new SquizzleError(
    'LOCK_UNSAFE',
    'the migration lock does not stay with its connection: the database URL goes through a pooler in transaction mode',
    {
      hint:
        'Connect Squizzle directly to PostgreSQL (or to a PgBouncer pool in session mode): session advisory ' +
        'locks are meaningless behind transaction pooling.',
      details: { lockedOnPid: pid, nextStatementPid: nextPid, witnessPid },
    },
  )
}

function heldLock(session: Session, key: LockKey, pid: number, backendStart: string): HeldLock {
  let released = false
  return {
    acquiredAt: new Date(),
    key,
    pid,
    backendStart,
    session,
    get released() {
      return released
    },
    async release() {
      if (released) return
      released = true
      // Never sent on a lost session: postgres.js would open a new one, which holds nothing.
      if (session.lost) throw lockSessionEnded(pid)
      const unlock = session.sql<{ unlocked: boolean; pid: number }[]>`
        SELECT pg_advisory_unlock(${key.classid}::int, ${key.objid}::int) AS unlocked, pg_backend_pid() AS pid`
      const [row] = await unlock.catch((cause: unknown) => {
        throw lockSessionEnded(pid, cause)
      })
      if (!row?.unlocked || row.pid !== pid) throw lockSessionEnded(pid)
    },
  }
}

function lockSessionEnded(pid: number, cause?: unknown): SquizzleError {
  const message = `the migration lock is no longer held: the session that took it (pid ${pid}) ended or lost it`
  return new SquizzleError('LOCK_LOST', message, {
    hint:
      "Something ended the lock's connection (pg_terminate_backend, idle_session_timeout, a pooler or proxy, " +
      'a failover). Another migrator may be running now: check the status, then run again.',
    remedies: [{ operation: 'status' }],
    ...(cause === undefined ? {} : { cause }),
    details: { pid },
  })
}

function describeHolder(holder: LockHolderInfo | null): string {
  if (!holder) return ''
  const parts = [`pid ${holder.pid}`]
  if (holder.applicationName) parts.push(`application "${holder.applicationName}"`)
  if (holder.user) parts.push(`user ${holder.user}`)
  if (holder.clientAddress) parts.push(`from ${holder.clientAddress}`)
  if (holder.since) parts.push(`since ${holder.since}`)
  return ` (${parts.join(', ')})`
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
