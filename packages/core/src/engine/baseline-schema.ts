import { bundleFiles } from '../bundle/bundle-reader.js'
import type { KeptFile } from '../driver/database-driver.js'
import { SquizzleError } from '../errors/squizzle-error.js'
import { snapshotPath } from '../manifest/manifest.js'
import { compactDifferences, diffSnapshots, summarizeDifferences } from '../snapshot/diff-snapshots.js'
import type { SchemaDifference } from '../snapshot/diff-snapshots.js'
import { parseSnapshot, type SchemaSnapshot } from '../snapshot/schema-snapshot.js'
import type { PulledArtifact } from '../storage/artifact-storage.js'
import type { OperationContext } from './operation.js'

/** How the live schema compared with the snapshot of the version to baseline at. */
export interface BaselineSchema {
  /**
   * `matched`; `forced`: it differs, baselined anyway; `unchecked`: nothing to
   * compare with (`reason`), baselined anyway.
   */
  outcome: 'matched' | 'forced' | 'unchecked'
  reason?: string
  /** From the snapshot to the live schema (`added`: only in the database). */
  differences: SchemaDifference[]
  /** The version's snapshot file, to keep in the database; null when it has none. */
  kept: KeptFile | null
}

/**
 * Compares the live schema with the snapshot `pulled` recorded at build. Throws
 * `BASELINE_MISMATCH` naming every difference, or `SNAPSHOT_MISSING` /
 * `SNAPSHOT_UNSUPPORTED` when there is nothing to compare, unless `force`: then
 * the outcome says what was accepted and a warning event is emitted.
 *
 * @example
 * ```ts
 * const { outcome, differences } = await checkBaselineSchema(ctx, await storage.pull('1.4.0'), false)
 * ```
 */
export async function checkBaselineSchema(
  ctx: OperationContext,
  pulled: PulledArtifact,
  force: boolean,
): Promise<BaselineSchema> {
  const { version } = pulled.manifest
  const kept = await snapshotFile(pulled, ctx)
  const unchecked = (code: NothingToCompare, reason: string): BaselineSchema => {
    if (!force) throw nothingToCompare(code, version, reason)
    const message = `baselined at ${version} without checking the schema: ${reason}`
    ctx.events({ type: 'warning', code, version, message })
    return { outcome: 'unchecked', reason, differences: [], kept }
  }
  if (!kept) return unchecked('SNAPSHOT_MISSING', `${version} was built without a schema snapshot`)
  if (!ctx.driver.snapshotSchema) {
    return unchecked('SNAPSHOT_UNSUPPORTED', `the ${ctx.driver.name} driver cannot read the live schema`)
  }
  const expected = parseSnapshot(kept.content, `${snapshotPath} of ${version}`)
  const live = await ctx.driver.snapshotSchema()
  const differences = diffSnapshots(expected, live)
  if (differences.length === 0) return { outcome: 'matched', differences, kept }
  if (!force) throw mismatch(version, differences, expected, live)
  const message = `baselined at ${version} although the schema differs: ${summarizeDifferences(differences)}`
  ctx.events({ type: 'warning', code: 'BASELINE_MISMATCH', version, message })
  return { outcome: 'forced', differences, kept }
}

type NothingToCompare = 'SNAPSHOT_MISSING' | 'SNAPSHOT_UNSUPPORTED'

function nothingToCompare(code: NothingToCompare, version: string, reason: string): SquizzleError {
  const message = `cannot baseline at ${version}: ${reason}, so nothing shows that the database has its schema`
  return new SquizzleError(code, message, {
    hint: `Check by hand that the database has the schema ${version}'s SQL creates, then force the baseline (audited).`,
    remedies: [{ operation: 'baseline', args: [version], options: { force: true } }],
    details: { version },
  })
}

function mismatch(version: string, differences: SchemaDifference[], expected: SchemaSnapshot, live: SchemaSnapshot) {
  const count = `${differences.length} difference${differences.length === 1 ? '' : 's'}`
  const message =
    `the database does not have the schema of ${version}: ${count} ` +
    `(+ only in the database, - missing from it, ~ changed): ${summarizeDifferences(differences)}`
  return new SquizzleError('BASELINE_MISMATCH', message, {
    hint:
      `Baseline records that the database already has ${version}'s schema. ` +
      'Baseline at the version it does match, or change the schema to match; if the differences are intended ' +
      '(e.g. objects Squizzle does not manage), a forced baseline goes ahead and records them in the audit log.',
    remedies: [{ operation: 'baseline', args: [version], options: { force: true } }],
    details: {
      version,
      differences: compactDifferences(differences),
      expectedServer: expected.server,
      liveServer: live.server,
    },
  })
}

/** The version's `schema/snapshot.json` to keep, every byte of the bundle verified; null without one. */
async function snapshotFile(pulled: PulledArtifact, ctx: OperationContext): Promise<KeptFile | null> {
  if (!pulled.manifest.files.some((f) => f.path === snapshotPath)) return null
  let kept: KeptFile | null = null
  for await (const { file, content } of bundleFiles(pulled.open(), pulled.manifest, { limits: ctx.limits })) {
    if (file.path === snapshotPath) kept = { path: file.path, sha256: file.sha256, content: content.toString('utf8') }
  }
  return kept
}
