import { SquizzleError, type LockHolderInfo, type MigrationLock } from '@squizzle/core'
import type { Sql } from 'postgres'

/**
 * The one advisory lock key of every Squizzle migrator in a database, in the
 * two-int form so it shows up recognisably in pg_locks (classid, objid).
 * One key per database, never per version: two versions must never run at once.
 */
export const lockKey = { classid: 0x5351_5a5a, objid: 1 } as const

const pollMinMs = 100
const pollMaxMs = 1000

export interface AcquireOptions {
  timeoutMs: number
  onWait?: ((holder: LockHolderInfo | null, waitedMs: number) => void) | undefined
}

/** A second connection to the same database, used to prove the lock is a real session lock. */
export type WitnessConnection = Sql

/**
 * Takes the migration lock on a dedicated connection (`lockSql`, max 1) by
 * polling `pg_try_advisory_lock`. Polling, not blocking: a session blocked in
 * `pg_advisory_lock` holds a snapshot that makes the holder's
 * `CREATE INDEX CONCURRENTLY` wait for it forever.
 *
 * @example
 * ```ts
 * const lock = await acquireLock(lockSql, { timeoutMs: 60_000 })
 * try { … } finally { await lock.release() }
 * ```
 */
export async function acquireLock(lockSql: Sql, witness: WitnessConnection, options: AcquireOptions): Promise<MigrationLock> {
  const started = Date.now()
  let delay = pollMinMs
  for (;;) {
    const [row] = await lockSql<{ locked: boolean; pid: number }[]>`
      SELECT pg_try_advisory_lock(${lockKey.classid}::int, ${lockKey.objid}::int) AS locked, pg_backend_pid() AS pid`
    if (row?.locked) {
      const lock = heldLock(lockSql)
      try {
        await assertSessionLock(lockSql, witness, row.pid)
      } catch (err) {
        await lock.release().catch(() => undefined)
        throw err
      }
      return lock
    }
    const waited = Date.now() - started
    const holder = await findLockHolder(lockSql)
    if (waited >= options.timeoutMs) {
      throw new SquizzleError('LOCK_TIMEOUT', `another migration holds the lock${describeHolder(holder)}; waited ${Math.round(waited / 1000)} s`, {
        hint: 'Wait for the other migration to finish, or raise --lock-timeout. If its process is gone, the server released the lock already; if it is stuck, end that backend with pg_terminate_backend(pid).',
        details: { holder, waitedMs: waited },
      })
    }
    options.onWait?.(holder, waited)
    await sleep(Math.min(delay, Math.max(0, options.timeoutMs - waited)))
    delay = Math.min(pollMaxMs, delay * 2)
  }
}

/**
 * Who holds the migration lock in the current database, or null.
 *
 * @example
 * ```ts
 * const holder = await findLockHolder(sql) // { pid: 4242, applicationName: 'squizzle', … }
 * ```
 */
export async function findLockHolder(sql: Sql): Promise<LockHolderInfo | null> {
  const [row] = await sql<{ pid: number; application_name: string | null; client_addr: string | null; usename: string | null; since: Date | null }[]>`
    SELECT l.pid, a.application_name, host(a.client_addr) AS client_addr, a.usename, a.state_change AS since
    FROM pg_locks l
    LEFT JOIN pg_stat_activity a ON a.pid = l.pid
    WHERE l.locktype = 'advisory' AND l.granted
      AND l.classid = ${lockKey.classid}::int::oid AND l.objid = ${lockKey.objid}::int::oid AND l.objsubid = 2
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
 */
async function assertSessionLock(lockSql: Sql, witness: WitnessConnection, pid: number): Promise<void> {
  let nextPid: number | null = null
  let witnessPid: number | null = null
  let held = false
  await witness.begin(async (tx) => {
    const [w] = await tx<{ pid: number }[]>`SELECT pg_backend_pid() AS pid`
    witnessPid = w?.pid ?? null
    const [row] = await lockSql<{ pid: number; held: boolean }[]>`
      SELECT pg_backend_pid() AS pid, EXISTS (
        SELECT 1 FROM pg_locks
        WHERE locktype = 'advisory' AND granted AND pid = pg_backend_pid()
          AND classid = ${lockKey.classid}::int::oid AND objid = ${lockKey.objid}::int::oid AND objsubid = 2
      ) AS held`
    nextPid = row?.pid ?? null
    held = row?.held ?? false
  })
  if (held && nextPid === pid && witnessPid !== pid) return
  throw new SquizzleError('LOCK_UNSAFE', 'the migration lock does not stay with its connection: the database URL goes through a pooler in transaction mode', {
    hint: 'Connect Squizzle directly to PostgreSQL (or to a PgBouncer pool in session mode): session advisory locks are meaningless behind transaction pooling.',
    details: { lockedOnPid: pid, nextStatementPid: nextPid, witnessPid },
  })
}

function heldLock(lockSql: Sql): MigrationLock {
  let released = false
  return {
    acquiredAt: new Date(),
    async release() {
      if (released) return
      released = true
      await lockSql`SELECT pg_advisory_unlock(${lockKey.classid}::int, ${lockKey.objid}::int)`
    },
  }
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
