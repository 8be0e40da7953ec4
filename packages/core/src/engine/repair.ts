import type { HistoryEntry } from '../driver/database-driver.js'
import { SquizzleError } from '../errors/squizzle-error.js'
import { underLock, type OperationContext } from './operation.js'

export interface RepairOptions {
  /** Repair only this version's failed run (default: every unresolved failure). */
  version?: string | undefined
  /**
   * `resume` (default): keep the recorded progress, so the next run continues
   * at the step that failed (after a human fixed its cause).
   * `restart`: forget the recorded progress, so the next run starts the version
   * from its first file (after a human undid the partial work).
   */
  mode?: 'resume' | 'restart' | undefined
}

export interface RepairResult {
  mode: 'resume' | 'restart'
  repaired: { version: string; operation: string; code: string; message: string; progressCleared: boolean }[]
}

/**
 * Resolves failed runs after a human fixed their cause (Flyway's `repair`):
 * records a `repair` history row per failed version, which clears it from
 * `status`, and with `restart` forgets the version's recorded progress.
 * Audited. Throws `NOTHING_TO_REPAIR` when there is no unresolved failure.
 *
 * @example
 * ```ts
 * await repairFailures(ctx, { version: '1.3.0', mode: 'restart' })
 * ```
 */
export async function repairFailures(ctx: OperationContext, options: RepairOptions = {}): Promise<RepairResult> {
  const mode = options.mode ?? 'resume'
  return underLock(ctx, async (state) => {
    const failed = state.failed.filter((e) => options.version === undefined || e.version === options.version)
    if (failed.length === 0) throw nothingToRepair(options.version)
    const repaired: RepairResult['repaired'] = []
    for (const entry of failed) repaired.push(await repairOne(ctx, entry, mode))
    return { mode, repaired }
  })
}

function nothingToRepair(version: string | undefined): SquizzleError {
  return new SquizzleError(
    'NOTHING_TO_REPAIR',
    version ? `version ${version} has no unresolved failed run` : 'there is no unresolved failed run',
    {
      hint: 'The status lists failed runs; repair only resolves those.',
      remedies: [{ operation: 'status' }],
    },
  )
}

/** Resolves one failed run: its repair history row (and, restarting, its forgotten progress), then the audit. */
async function repairOne(
  ctx: OperationContext,
  entry: HistoryEntry,
  mode: RepairResult['mode'],
): Promise<RepairResult['repaired'][number]> {
  const started = new Date()
  const progressCleared = mode === 'restart' && (await ctx.driver.records.progress(entry.version)).length > 0
  await recordRepair(ctx, entry, mode, started)
  const failure = { code: entry.error?.code ?? 'UNKNOWN', message: entry.error?.message ?? '' }
  const details = { mode, failedOperation: entry.operation, failedRun: entry.id, ...failure, progressCleared }
  const { user: actor, host } = ctx.actor
  await ctx.driver.records.addAudit({
    operation: 'repair',
    outcome: 'success',
    version: entry.version,
    actor,
    host,
    details,
  })
  return { version: entry.version, operation: entry.operation, ...failure, progressCleared }
}

async function recordRepair(
  ctx: OperationContext,
  entry: HistoryEntry,
  mode: RepairResult['mode'],
  started: Date,
): Promise<void> {
  const manifest = await ctx.driver.records.historyManifest(entry.id)
  await ctx.driver.transaction(async (tx) => {
    // A repair row keeps the progress (the next run resumes after it), unless restarting.
    if (mode === 'restart') await tx.records.clearProgress(entry.version)
    await tx.records.addHistory({
      operation: 'repair',
      version: entry.version,
      status: 'success',
      manifestDigest: entry.manifestDigest,
      checksum: entry.checksum,
      manifest,
      actor: ctx.actor.user,
      host: ctx.actor.host,
      toolVersion: ctx.toolVersion,
      startedAt: started,
      finishedAt: new Date(),
      error: null,
    })
    await tx.assertLockHeld()
  })
}
