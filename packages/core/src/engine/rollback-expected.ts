import type { HistoryEntry } from '../driver/database-driver.js'
import { versionSnapshot } from '../drift/version-snapshot.js'
import { isSquizzleError, SquizzleError } from '../errors/squizzle-error.js'
import { snapshotPath } from '../manifest/manifest.js'
import type { SchemaSnapshot } from '../snapshot/schema-snapshot.js'
import { readKeptSnapshot, schemaBeforePath } from './kept-snapshots.js'
import type { OperationContext } from './operation.js'

/** What the schema must be after one version's rollback. */
export interface RollbackExpectation {
  /** The version being rolled back. */
  version: string
  /** The version the database returns to; null when it returns to the schema from before its first version. */
  against: string | null
  /** The schema it must have afterwards, or null when that cannot be checked (`reason` says why). */
  snapshot: SchemaSnapshot | null
  reason?: string
}

/**
 * The schema a rollback of `entry` must leave: the snapshot of `below` (the applied
 * version under it), else the schema the database had before its first version.
 * Read from what the database kept at apply or baseline time; a version applied by
 * an older Squizzle falls back to storage, whose artifact must be the applied one
 * (`TAMPERED` otherwise). Without a snapshot (`--no-snapshot`), a driver that cannot
 * read schemas, or a storage that cannot help, the result carries the reason instead.
 *
 * @example
 * ```ts
 * const expected = await expectedAfterRollback(ctx, state.applied[2]!, state.applied[1])
 * ```
 */
export async function expectedAfterRollback(
  ctx: OperationContext,
  entry: HistoryEntry,
  below: HistoryEntry | undefined,
): Promise<RollbackExpectation> {
  const base = { version: entry.version, against: below?.version ?? null }
  const unchecked = (reason: string): RollbackExpectation => ({ ...base, snapshot: null, reason })
  if (!ctx.driver.snapshotSchema) return unchecked(`the ${ctx.driver.name} driver cannot read the live schema`)
  if (!below) {
    const digest = entry.manifestDigest
    const before = digest === null ? null : await readKeptSnapshot(ctx.driver, digest, schemaBeforePath)
    if (before) return { ...base, snapshot: before }
    return unchecked(`no record of the schema from before ${entry.version} (an older Squizzle applied it)`)
  }
  const listed = below.manifest?.files.find((f) => f.path === snapshotPath)
  if (!listed || below.manifestDigest === null) {
    return unchecked(`${below.version} was built without a schema snapshot`)
  }
  const kept = await readKeptSnapshot(ctx.driver, below.manifestDigest, snapshotPath, listed)
  if (kept) return { ...base, snapshot: kept }
  const stored = await fromStorage(ctx, below, below.manifestDigest)
  return typeof stored === 'string' ? unchecked(stored) : { ...base, snapshot: stored }
}

/** The snapshot of an applied version from storage, or why storage could not provide it. */
async function fromStorage(
  ctx: OperationContext,
  below: HistoryEntry,
  digest: string,
): Promise<SchemaSnapshot | string> {
  const unavailable = (why: string) =>
    `the database kept no copy of ${below.version}'s snapshot (applied by an older Squizzle), ` +
    `and ${ctx.storage.name} could not provide it: ${why}`
  try {
    const pulled = await ctx.storage.pull(below.version)
    if (pulled.ref.digest !== digest) throw tampered(below.version, digest, pulled.ref.digest)
    return (await versionSnapshot(pulled, ctx.limits)) ?? unavailable('its bundle holds none')
  } catch (err) {
    // Bytes that are not what they claim are refused; a storage that is merely unreachable is not.
    if (isSquizzleError(err) && err.category !== 'failure') throw err
    return unavailable(err instanceof Error ? err.message : String(err))
  }
}

function tampered(version: string, applied: string, stored: string): SquizzleError {
  const message = `version ${version} was applied as ${applied}, but storage now holds ${stored}`
  return new SquizzleError('TAMPERED', message, {
    hint: 'A released version was replaced in storage: its snapshot cannot be trusted. Restore the original artifact.',
    details: { tampered: [{ version, applied, stored }] },
  })
}
