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
    for (const entry of selectRollback(state, options.to))
      sources.push(await loadRollback(entry, ctx.driver, ctx.storage, ctx.limits))
    const versions = await Promise.all(sources.map(layoutRollback))
    return { dryRun: true, rolledBack: [], current: state.current, versions, checks: [] }
  }
  return underLock(ctx, async (state) => {
    const entries = await guarded(ctx, 'rollback', null, async () => selectRollback(state, options.to))
    ctx.events({
      type: 'rollback.plan',
      current: state.current,
      versions: entries.map((e) => e.version),
      to: options.to ?? null,
    })
    const planned = await loadAll(ctx, state, entries)
    const rolledBack: string[] = []
    const checks: RollbackCheck[] = []
    for (const one of planned) {
      checks.push(await rollbackOne(ctx, one, options.force === true))
      rolledBack.push(one.source.manifest.version)
    }
    const versions = await Promise.all(planned.map((p) => layoutRollback(p.source)))
    return { dryRun: false, rolledBack, current: (await readState(ctx.driver)).current, versions, checks }
  })
}

async function rollbackOne(ctx: OperationContext, planned: PlannedRollback, force: boolean): Promise<RollbackCheck> {
  const { source, expected } = planned
  const { version } = source.manifest
  const segments = rollbackSegments(source)
  const atomic = segments.length <= 1 && segments.every((s) => s.transactional)
  if (expected.snapshot === null) {
    const why = expected.reason ?? 'nothing to compare with'
    const message = `the schema after rolling back ${version} is not checked: ${why}`
    ctx.events({ type: 'warning', code: 'ROLLBACK_UNCHECKED', version, message })
  }
  let check: RollbackCheck | undefined
  const beforeSuccess = schemaCheck(expected, { force, atomic, events: ctx.events }, (c) => (check = c))
  const { manifest, digest } = source
  const files = fromMemory(source.files)
  const job = { operation: 'rollback' as const, manifest, digest, segments, files, beforeSuccess }
  await guarded(ctx, 'rollback', version, () => runSegments({ ...ctx }, job), 'failure')
  const reason = expected.reason ?? 'not compared'
  const outcome = check ?? { version, against: expected.against, outcome: 'unchecked', reason, differences: [] }
  await ctx.driver.records.addAudit({
    operation: 'rollback',
    outcome: 'success',
    version,
    actor: ctx.actor.user,
    host: ctx.actor.host,
    details: { digest: source.digest, from: source.from, schema: auditedSchema(outcome) },
  })
  return outcome
}

/** What the audit row says about the schema check; the differences only when the rollback was forced. */
function auditedSchema(check: RollbackCheck): Record<string, unknown> {
  const differences = check.differences.length > 0 ? { differences: compactDifferences(check.differences) } : {}
  const reason = check.reason ? { reason: check.reason } : {}
  return { against: check.against, outcome: check.outcome, ...reason, ...differences }
}

interface PlannedRollback {
  source: RollbackSource
  expected: RollbackExpectation
}

/** Loads and verifies every version's rollback SQL and expected schema before anything runs. */
async function loadAll(
  ctx: OperationContext,
  state: HistoryState,
  entries: HistoryEntry[],
): Promise<PlannedRollback[]> {
  const planned: PlannedRollback[] = []
  for (const entry of entries) {
    // The applied version just below is the one the database returns to.
    const below = state.applied[state.applied.indexOf(entry) - 1]
    const load = () => loadRollback(entry, ctx.driver, ctx.storage, ctx.limits)
    const source = await guarded(ctx, 'rollback', entry.version, load)
    const expected = await guarded(ctx, 'rollback', entry.version, () => expectedAfterRollback(ctx, entry, below))
    planned.push({ source, expected })
  }
  return planned
}
