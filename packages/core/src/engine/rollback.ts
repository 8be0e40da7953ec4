import { fromMemory, runSegments } from './run-segments.js'
import type { DryRunVersion } from './dry-run.js'
import { guarded, readState, underLock, type OperationContext } from './operation.js'
import { layoutRollback, rollbackSegments, selectRollback } from './rollback-plan.js'
import { loadRollback, type RollbackSource } from './rollback-source.js'

export interface RollbackOptions {
  /** Undo every applied version above this one (default: only the current version). */
  to?: string | undefined
  /** Load, verify and lay out the rollback SQL without running it (no lock, no changes). */
  dryRun?: boolean | undefined
}

export interface RollbackResult {
  dryRun: boolean
  /** Versions undone, newest first (empty on a dry run). */
  rolledBack: string[]
  /** The current version afterwards (on a dry run: now). */
  current: string | null
  /** What runs (ran) for each version, newest first. */
  versions: DryRunVersion[]
}

/**
 * Undoes applied versions newest first with the rollback SQL the database kept
 * at apply time. Every version is loaded and verified before the first one runs,
 * so a rollback that would stop at an irreversible version never starts. Each
 * version runs in its own segments (transactional like apply) and is recorded
 * as a `rollback` history row.
 *
 * @example
 * ```ts
 * await rollbackVersions(ctx, { to: '1.0.0' }) // { rolledBack: ['1.2.0', '1.1.0'], current: '1.0.0', … }
 * ```
 */
export async function rollbackVersions(ctx: OperationContext, options: RollbackOptions): Promise<RollbackResult> {
  if (options.dryRun) {
    const state = await readState(ctx.driver)
    // A dry run changes nothing, not even the audit log.
    const sources: RollbackSource[] = []
    for (const entry of selectRollback(state, options.to)) sources.push(await loadRollback(entry, ctx.driver, ctx.storage, ctx.limits))
    return { dryRun: true, rolledBack: [], current: state.current, versions: await Promise.all(sources.map(layoutRollback)) }
  }
  return underLock(ctx, async (state) => {
    const entries = await guarded(ctx, 'rollback', null, async () => selectRollback(state, options.to))
    ctx.events({ type: 'rollback.plan', current: state.current, versions: entries.map((e) => e.version), to: options.to ?? null })
    const sources = await loadAll(ctx, entries)
    const rolledBack: string[] = []
    for (const source of sources) {
      const { version } = source.manifest
      await guarded(ctx, 'rollback', version, () =>
        runSegments({ ...ctx }, { operation: 'rollback', manifest: source.manifest, digest: source.digest, segments: rollbackSegments(source), files: fromMemory(source.files) }), 'failure')
      await ctx.driver.audit({ operation: 'rollback', outcome: 'success', version, actor: ctx.actor.user, host: ctx.actor.host, details: { digest: source.digest, from: source.from } })
      rolledBack.push(version)
    }
    return { dryRun: false, rolledBack, current: (await readState(ctx.driver)).current, versions: await Promise.all(sources.map(layoutRollback)) }
  })
}

async function loadAll(ctx: OperationContext, entries: Awaited<ReturnType<typeof selectRollback>>): Promise<RollbackSource[]> {
  const sources: RollbackSource[] = []
  for (const entry of entries) sources.push(await guarded(ctx, 'rollback', entry.version, () => loadRollback(entry, ctx.driver, ctx.storage, ctx.limits)))
  return sources
}
