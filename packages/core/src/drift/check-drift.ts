import type { BundleLimits } from '../bundle/limits.js'
import type { DatabaseDriver } from '../driver/database-driver.js'
import { SquizzleError } from '../errors/squizzle-error.js'
import { deriveState } from '../engine/history-state.js'
import { diffSnapshots, type SchemaDifference } from '../snapshot/diff-snapshots.js'
import type { SchemaSnapshot } from '../snapshot/schema-snapshot.js'
import type { ArtifactStorage } from '../storage/artifact-storage.js'
import { versionSnapshot } from './version-snapshot.js'

/**
 * How the live schema compares with what the current version expects:
 * `clean` (equal), `drift` (see `differences`), `no-version` (nothing applied
 * yet) or `no-snapshot` (the current version was built without a snapshot).
 */
export type DriftStatus = 'clean' | 'drift' | 'no-version' | 'no-snapshot'

export interface DriftReport {
  status: DriftStatus
  /** The version the database is at, or null. */
  version: string | null
  /** Its manifest digest, as the database recorded it. */
  digest: string | null
  /** From the expected schema (the snapshot) to the live one: `added` exists only in the database. */
  differences: SchemaDifference[]
  /** Servers the two snapshots came from; deparsed text can differ between major versions. */
  expectedServer: string | null
  liveServer: string | null
}

export interface CheckDriftOptions {
  storage: ArtifactStorage
  /** A connected driver offering `snapshotSchema`. */
  driver: DatabaseDriver
  limits?: Partial<BundleLimits> | undefined
}

/**
 * Compares the live schema with the snapshot the current version recorded at
 * build. The version is pulled from storage and must be the artifact the database
 * recorded when it applied it (`TAMPERED` otherwise). Read-only: takes no lock.
 *
 * @example
 * ```ts
 * const report = await checkDrift({ storage, driver })
 * if (report.status === 'drift') for (const d of report.differences) console.log(d.change, d.kind, d.name)
 * ```
 */
export async function checkDrift(options: CheckDriftOptions): Promise<DriftReport> {
  const { driver, storage } = options
  if (!driver.snapshotSchema) {
    throw new SquizzleError('SNAPSHOT_UNSUPPORTED', `the ${driver.name} driver cannot take schema snapshots`, {
      hint: 'Drift detection needs a driver that implements snapshotSchema().',
    })
  }
  const state = deriveState(await driver.records.history())
  const record = state.applied.at(-1)
  const empty = { differences: [], expectedServer: null, liveServer: null }
  if (!record) return { status: 'no-version', version: null, digest: null, ...empty }
  const pulled = await storage.pull(record.version)
  if (record.manifestDigest !== null && pulled.ref.digest !== record.manifestDigest) {
    throw new SquizzleError(
      'TAMPERED',
      `version ${record.version} was applied as ${record.manifestDigest}, but storage now holds ${pulled.ref.digest}`,
      {
        hint: 'A released version was replaced in storage; its snapshot cannot be trusted. Restore the original artifact and investigate.',
        details: { tampered: [{ version: record.version, applied: record.manifestDigest, stored: pulled.ref.digest }] },
      },
    )
  }
  const expected = await versionSnapshot(pulled, options.limits)
  if (!expected) return { status: 'no-snapshot', version: record.version, digest: record.manifestDigest, ...empty }
  const live: SchemaSnapshot = await driver.snapshotSchema()
  const differences = diffSnapshots(expected, live)
  return {
    status: differences.length > 0 ? 'drift' : 'clean',
    version: record.version,
    digest: record.manifestDigest,
    differences,
    expectedServer: expected.server,
    liveServer: live.server,
  }
}
