import type { HistoryEntry } from '../driver/database-driver.js'
import { compactDifferences } from '../snapshot/diff-snapshots.js'
import { fromMemory, runSegments } from './run-segments.js'
import type { DryRunVersion } from './dry-run.js'
import type { HistoryState } from './history-state.js'
import { guarded, readState, underLock, type OperationContext } from './operation.js'
import { schemaCheck, type RollbackCheck } from './rollback-check.js'
import { expectedAfterRollback, type RollbackExpectation } from './rollback-expected.js'
import { layoutRollback, rollbackSegments, selectRollback } from './rollback-plan.js'
import { loadRollback, type RollbackSource } from './rollback-source.js'

export interface RollbackOptions {
  /** Undo every applied version above this one (default: only the current version). */
  to?: string | undefined
  /** Load, verify and lay out the rollback SQL without running it (no lock, no changes). */
  dryRun?: boolean | undefined
  /**
   * Record a rollback whose schema afterwards differs from the one it returns to
   * (e.g. objects Squizzle does not manage), instead of failing; audited with the differences.
   */
  force?: boolean | undefined
}

export type { RollbackCheck } from './rollback-check.js'

export interface RollbackResult {
  dryRun: boolean
  /** Versions undone, newest first (empty on a dry run). */
  rolledBack: string[]
  /** The current version afterwards (on a dry run: now). */
  current: string | null
  /** What runs (ran) for each version, newest first. */
  versions: DryRunVersion[]
  /** How each rolled-back version's schema compared with the one it returned to (empty on a dry run). */
  checks: RollbackCheck[]
}

/**
 * Undoes applied versions newest first with the rollback SQL the database kept
 * at apply time. Every version is loaded and verified before the first one runs,
 * so a rollback that would stop at an irreversible version never starts. Each
 * version runs in its own segments (transactional like apply); in its last
 * transaction, before its `rollback` history row, the live schema is compared
 * with the one it returns to (`ROLLBACK_INCOMPLETE` on a difference, unless `force`).
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
    return { dryRun: true, rolledBack: [], current: state.current, versions: await Promise.all(sources.map(layoutRollback)), checks: [] }
  }
  return underLock(ctx, async (state) => {
    const entries = await guarded(ctx, 'rollback', null, async () => selectRollback(state, options.to))
    ctx.events({ type: 'rollback.plan', current: state.current, versions: entries.map((e) => e.version), to: options.to ?? null })
    const planned = await loadAll(ctx, state, entries)
    const rolledBack: string[] = []
    const checks: RollbackCheck[] = []
    for (const { source, expected } of planned) {
      checks.push(await rollbackOne(ctx, source, expected, options.force === true))
      rolledBack.push(source.manifest.version)
    }
    const versions = await Promise.all(planned.map((p) => layoutRollback(p.source)))
    return { dryRun: false, rolledBack, current: (await readState(ctx.driver)).current, versions, checks }
  })
}

async function rollbackOne(ctx: OperationContext, source: RollbackSource, expected: RollbackExpectation, force: boolean): Promise<RollbackCheck> {
  const { version } = source.manifest
  const segments = rollbackSegments(source)
  const atomic = segments.length <= 1 && segments.every((s) => s.transactional)
  if (expected.snapshot === null) {
    ctx.events({ type: 'warning', code: 'ROLLBACK_UNCHECKED', version, message: `the schema after rolling back ${version} is not checked: ${expected.reason ?? 'nothing to compare with'}` })
  }
  let check: RollbackCheck | undefined
  const beforeSuccess = schemaCheck(expected, { force, atomic, events: ctx.events }, (c) => (check = c))
  await guarded(ctx, 'rollback', version, () =>
    runSegments({ ...ctx }, { operation: 'rollback', manifest: source.manifest, digest: source.digest, segments, files: fromMemory(source.files), beforeSuccess }), 'failure')
  const outcome = check ?? { version, against: expected.against, outcome: 'unchecked', reason: expected.reason ?? 'not compared', differences: [] }
  const schema = { against: outcome.against, outcome: outcome.outcome, ...(outcome.differences.length > 0 ? { differences: compactDifferences(outcome.differences) } : {}) }
  await ctx.driver.audit({ operation: 'rollback', outcome: 'success', version, actor: ctx.actor.user, host: ctx.actor.host, details: { digest: source.digest, from: source.from, schema } })
  return outcome
}

/** Loads and verifies every version's rollback SQL and expected schema before anything runs. */
async function loadAll(ctx: OperationContext, state: HistoryState, entries: HistoryEntry[]): Promise<{ source: RollbackSource; expected: RollbackExpectation }[]> {
  const planned: { source: RollbackSource; expected: RollbackExpectation }[] = []
  for (const entry of entries) {
    const below = state.applied[state.applied.indexOf(entry) - 1]
    const source = await guarded(ctx, 'rollback', entry.version, () => loadRollback(entry, ctx.driver, ctx.storage, ctx.limits))
    const expected = await guarded(ctx, 'rollback', entry.version, () => expectedAfterRollback(ctx, entry, below))
    planned.push({ source, expected })
  }
  return planned
}
