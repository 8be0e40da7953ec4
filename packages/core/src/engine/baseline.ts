import { SquizzleError } from '../errors/squizzle-error.js'
import type { PulledArtifact } from '../storage/artifact-storage.js'
import { compactDifferences } from '../snapshot/diff-snapshots.js'
import { compareVersions, parseVersion } from '../version/version.js'
import type { KeptFile } from '../driver/database-driver.js'
import { checkBaselineSchema, type BaselineSchema } from './baseline-schema.js'
import type { HistoryState } from './history-state.js'
import { guarded, refuse, underLock, type OperationContext } from './operation.js'
import { verifyPulled } from './verify-version.js'

export interface BaselineOptions {
  /**
   * Baseline even though Squizzle already applied versions to this database, or
   * the live schema differs from the version's snapshot (or it has none); audited
   * with the differences.
   */
  force?: boolean | undefined
}

export interface BaselineResult {
  version: string
  digest: string
  /** Stored versions at or below the baseline that will never be applied here. */
  covered: string[]
  /** How the live schema compared with the version's snapshot. */
  schema: Omit<BaselineSchema, 'kept'>
}

/**
 * Marks an existing database as being at `version` without running any SQL
 * (Flyway's `baseline`): the version's verified manifest is recorded as a
 * `baseline` history row, and it and every stored version below it count as
 * part of the schema. The live schema must equal the snapshot the version
 * recorded at build (`BASELINE_MISMATCH`, `SNAPSHOT_MISSING` otherwise), and the
 * snapshot is kept for a later rollback to it. Refuses (`HISTORY_NOT_EMPTY`) when
 * Squizzle already applied versions here; `force` overrides both refusals, audited.
 * Never baselines at or below the current version.
 *
 * @example
 * ```ts
 * await baselineVersion(ctx, '1.4.0') // then `apply` runs only versions above 1.4.0
 * ```
 */
export async function baselineVersion(
  ctx: OperationContext,
  version: string,
  options: BaselineOptions = {},
): Promise<BaselineResult> {
  const wanted = parseVersion(version)
  const force = options.force === true
  return underLock(ctx, async (state) => {
    await refuseRewrite(ctx, state, wanted, force)
    const started = new Date()
    const pulled = await guarded(ctx, 'baseline', wanted, () => ctx.storage.pull(wanted))
    await guarded(ctx, 'baseline', wanted, () =>
      verifyPulled(ctx.storage, pulled, { limits: ctx.limits, events: ctx.events }),
    )
    const { kept, ...schema } = await guarded(ctx, 'baseline', wanted, () => checkBaselineSchema(ctx, pulled, force))
    await record(ctx, pulled, started, kept)
    const appliedVersions = new Set(state.applied.map((e) => e.version))
    const covered = (await ctx.storage.list())
      .map((v) => v.version)
      .filter((v) => compareVersions(v, wanted) <= 0 && !appliedVersions.has(v))
      .sort(compareVersions)
    const differences = schema.differences.length > 0 ? { differences: compactDifferences(schema.differences) } : {}
    const checked = { schema: schema.outcome, ...(schema.reason ? { reason: schema.reason } : {}), ...differences }
    const details = { digest: pulled.ref.digest, covered, force, ...checked }
    const { user: actor, host } = ctx.actor
    await ctx.driver.records.addAudit({
      operation: 'baseline',
      outcome: 'success',
      version: wanted,
      actor,
      host,
      details,
    })
    return { version: wanted, digest: pulled.ref.digest, covered, schema }
  })
}

/** Refuses (audited) a baseline at or below the current version, and over Squizzle's own applies unless `force`. */
async function refuseRewrite(
  ctx: OperationContext,
  state: HistoryState,
  wanted: string,
  force: boolean,
): Promise<void> {
  if (state.current !== null && compareVersions(wanted, state.current) <= 0) {
    await refuse(ctx, 'baseline', wanted, belowCurrent(wanted, state.current))
  }
  const applies = state.applied.filter((e) => e.operation === 'apply')
  if (applies.length > 0 && !force) {
    await refuse(ctx, 'baseline', wanted, overSquizzleApplies(wanted, state.current, applies.length))
  }
}

function belowCurrent(wanted: string, current: string): SquizzleError {
  return new SquizzleError(
    'HISTORY_NOT_EMPTY',
    `the database is already at ${current}; a baseline at ${wanted} would rewrite applied history`,
    {
      hint:
        'Baseline marks a database that Squizzle has not managed yet. Use rollback to go back, or baseline ' +
        'at a version above the current one.',
      details: { version: wanted, current },
    },
  )
}

function overSquizzleApplies(wanted: string, current: string | null, applies: number): SquizzleError {
  return new SquizzleError(
    'HISTORY_NOT_EMPTY',
    `Squizzle already applied ${applies} version(s) to this database (current ${current})`,
    {
      hint:
        'Baseline is for databases Squizzle has not managed yet. If the versions up to this one were really ' +
        'applied by hand, force the baseline (audited).',
      remedies: [{ operation: 'baseline', args: [wanted], options: { force: true } }],
      details: { version: wanted, current },
    },
  )
}

/** The baseline row and, in the same transaction, the snapshot a later rollback to this version compares with. */
async function record(
  ctx: OperationContext,
  pulled: PulledArtifact,
  started: Date,
  kept: KeptFile | null,
): Promise<void> {
  const { manifest, ref } = pulled
  // Marked applied with its history row, under the lock proven just before COMMIT, like an apply.
  await ctx.driver.transaction(async (tx) => {
    await tx.records.claimVersion({ version: manifest.version, manifestDigest: ref.digest, operation: 'baseline' })
    await tx.records.addHistory({
      operation: 'baseline',
      version: manifest.version,
      status: 'success',
      manifestDigest: ref.digest,
      checksum: manifest.checksum.value,
      manifest,
      actor: ctx.actor.user,
      host: ctx.actor.host,
      toolVersion: ctx.toolVersion,
      startedAt: started,
      finishedAt: new Date(),
      error: null,
    })
    // A baseline ends whatever earlier attempt left of the version.
    await tx.records.clearProgress(manifest.version)
    if (kept) await tx.records.keepFiles(manifest.version, ref.digest, [kept])
    await tx.assertLockHeld()
  })
}
