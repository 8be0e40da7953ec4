import { SquizzleError, type VersionClaim } from '@squizzle/core'
import type { Sql } from 'postgres'

// This session's identity: a pid alone can be reused by a later backend. Every name is
// schema-qualified because these run inside migration transactions, whose search_path
// the migration's SQL may have changed.
const ownStart = (sql: Sql) => sql`(SELECT (extract(epoch FROM backend_start) * 1000000)::bigint
  FROM pg_catalog.pg_stat_activity WHERE pid = pg_catalog.pg_backend_pid())`

// The row's owner is a live session other than this one.
const ownedByOther = (sql: Sql) => sql`EXISTS (SELECT 1 FROM pg_catalog.pg_stat_activity s
  WHERE s.pid = a.owner_pid AND s.pid <> pg_catalog.pg_backend_pid()
    AND (extract(epoch FROM s.backend_start) * 1000000)::bigint = a.owner_started)`

/**
 * In the version's transaction: marks it applied, or turns this session's (or a
 * dead session's) claim into that mark. A second run's insert waits for the
 * first's uncommitted row and then finds it: `VERSION_CLAIMED`, never a second commit.
 *
 * @example
 * ```ts
 * await markApplied(txSql, 'squizzle', { version: '1.2.0', manifestDigest, operation: 'apply' })
 * ```
 */
export async function markApplied(tx: Sql, system: string, claim: VersionClaim): Promise<void> {
  await tx`SELECT pg_catalog.pg_stat_clear_snapshot()`
  const rows = await tx`
    INSERT INTO ${tx(system)}.applied AS a (version, manifest_digest, operation, state)
    VALUES (${claim.version}, ${claim.manifestDigest}, ${claim.operation}, 'applied')
    ON CONFLICT (version) DO UPDATE SET manifest_digest = EXCLUDED.manifest_digest, operation = EXCLUDED.operation,
      state = 'applied', owner_pid = NULL, owner_started = NULL, at = clock_timestamp()
    WHERE a.state = 'claimed' AND NOT ${ownedByOther(tx)}
    RETURNING 1`
  if (rows.length === 0) throw await claimedError(tx, system, claim.version)
}

/**
 * Outside a transaction: commits a claim on the version owned by this session,
 * taking over the claim of a session that no longer exists (a crashed run being resumed).
 *
 * @example
 * ```ts
 * await claimForSession(sql, 'squizzle', { version: '1.2.0', manifestDigest, operation: 'apply' })
 * ```
 */
export async function claimForSession(sql: Sql, system: string, claim: VersionClaim): Promise<void> {
  await sql`SELECT pg_catalog.pg_stat_clear_snapshot()`
  const rows = await sql`
    INSERT INTO ${sql(system)}.applied AS a (version, manifest_digest, operation, state, owner_pid, owner_started)
    VALUES (${claim.version}, ${claim.manifestDigest}, ${claim.operation}, 'claimed',
      pg_catalog.pg_backend_pid(), ${ownStart(sql)})
    ON CONFLICT (version) DO UPDATE SET manifest_digest = EXCLUDED.manifest_digest, owner_pid = EXCLUDED.owner_pid,
      owner_started = EXCLUDED.owner_started, at = clock_timestamp()
    WHERE a.state = 'claimed' AND NOT ${ownedByOther(sql)}
    RETURNING 1`
  if (rows.length === 0) throw await claimedError(sql, system, claim.version)
}

/**
 * Deletes the version's applied mark, or this session's claim on it.
 *
 * @example
 * ```ts
 * await unmark(txSql, 'squizzle', '1.2.0') // in the rollback's transaction
 * ```
 */
export async function unmark(sql: Sql, system: string, version: string): Promise<void> {
  const rows = await sql`
    DELETE FROM ${sql(system)}.applied AS a WHERE a.version = ${version}
      AND (a.state = 'applied' OR (a.owner_pid = pg_catalog.pg_backend_pid() AND a.owner_started = ${ownStart(sql)}))
    RETURNING 1`
  if (rows.length === 0) throw await claimedError(sql, system, version)
}

async function claimedError(sql: Sql, system: string, version: string): Promise<SquizzleError> {
  const [row] = await sql<{ state: string; operation: string; owner_pid: number | null; at: Date }[]>`
    SELECT state, operation, owner_pid, at FROM ${sql(system)}.applied WHERE version = ${version}`
  const at = row?.at.toISOString() ?? null
  const details = { version, state: row?.state ?? null, ownerPid: row?.owner_pid ?? null, at }
  if (!row) {
    const message = `version ${version} is not marked as applied: another run rolled it back or gave it up`
    return new SquizzleError('VERSION_CLAIMED', message, {
      hint: 'The status shows what the database has now; nothing of this run was committed.',
      remedies: [{ operation: 'status' }],
      details,
    })
  }
  if (row.state === 'claimed') {
    const pid = row.owner_pid
    const message = `version ${version} is being applied by another session (pid ${pid}) since ${at}`
    return new SquizzleError('VERSION_CLAIMED', message, {
      hint:
        `Another migrator is running this version. Let it finish; if it is stuck, end that backend ` +
        `(pg_terminate_backend(${pid})) and run again.`,
      details,
    })
  }
  const done = row.operation === 'baseline' ? 'baselined' : 'applied'
  return new SquizzleError('VERSION_CLAIMED', `version ${version} was ${done} by another run at ${at}`, {
    hint:
      'Another migrator got there first, although the lock should have kept it out. ' +
      'Nothing of this run was committed; check the status.',
    remedies: [{ operation: 'status' }],
    details,
  })
}
