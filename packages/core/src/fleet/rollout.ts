import { ignoreEvents, type EventSink } from '../events/events.js'
import { applyTarget, type TargetRun } from './apply-target.js'
import { countResults, type FleetTargetReport, type RolloutHalt, type RolloutReport } from './fleet-report.js'
import { planStages, type FleetStage, type StagePlan } from './fleet-stage.js'
import { checkTargets, type FleetTarget, type TargetEnvironment } from './fleet-target.js'
import { rolloutVersion } from './rollout-version.js'
import { runBounded } from './run-bounded.js'

/** A rollout: the targets, the stages, the version, and how to reach each database. */
export interface RolloutOptions extends Omit<TargetRun, 'env'> {
  targets: readonly FleetTarget[]
  /** In order; none: one stage of every target, one at a time, halting on the first failure. */
  stages?: readonly FleetStage[]
  /** The version every target goes to (`1.4.0`, or pinned `1.4.0@sha256:…`); default the newest stored. */
  version?: string
  events?: EventSink
  /** Where `env:NAME` target URLs are read; default `process.env`. */
  env?: TargetEnvironment
}

/** The state of a rollout in progress. */
interface Rollout {
  options: RolloutOptions
  run: TargetRun
  version: string
  events: EventSink
  lines: FleetTargetReport[]
  halt: RolloutHalt | null
}

/**
 * Takes every target to one version, stage by stage: each target through its own
 * Migrator (the same verification, signature policy, lock, transactions and audit as a
 * single apply), at most `parallel` at once; a stage starts only after the one before
 * it succeeded, and more failures than a stage tolerates halt the rollout (targets not
 * yet started are reported `skipped`). Each database's own history decides what runs,
 * so a rerun after a crash, a kill or a halt finishes only what is left, and never runs
 * a version twice. Returns one report; throws only for an unusable target list or stages.
 *
 * @example
 * ```ts
 * const report = await rollout({
 *   targets: [{ name: 'canary', url: 'env:CANARY_URL', labels: { tier: 'canary' } }, ...tenants],
 *   stages: [{ name: 'canary', select: { labels: { tier: 'canary' } } }, { name: 'rest', parallel: 8 }],
 *   migrator: { storage, toolVersion: '1.0.0' },
 *   connect: async (t) => { const d = new PostgresDriver({ url: t.connection }); await d.connect(); return d },
 * })
 * if (report.totals.failed > 0) process.exitCode = 1
 * ```
 */
export async function rollout(options: RolloutOptions): Promise<RolloutReport> {
  const started = Date.now()
  checkTargets(options.targets)
  const { stages, unselected } = planStages(options.targets, options.stages ?? [])
  const version = await rolloutVersion(options.migrator.storage, options.version)
  const events = options.events ?? ignoreEvents
  const run: TargetRun = { ...options, env: options.env ?? process.env }
  const state: Rollout = { options, run, version, events, lines: [], halt: null }
  events({ type: 'fleet.start', version, targets: options.targets.length, stages: stages.map((s) => s.stage.name) })
  for (const stage of stages) await runStage(state, stage)
  for (const t of unselected) state.lines.push(skipped(t, null, 'no stage selects it'))
  const { lines, halt } = state
  return { version, targets: lines, totals: countResults(lines), halted: halt, durationMs: Date.now() - started }
}

/** Runs one stage's targets, bounded by `parallel`; skips it whole when the rollout already halted. */
async function runStage(state: Rollout, plan: StagePlan): Promise<void> {
  const name = plan.stage.name
  if (state.halt) {
    for (const t of plan.targets) state.lines.push(skipped(t, name, `the rollout halted in stage ${state.halt.stage}`))
    return
  }
  state.events({ type: 'fleet.stage.start', stage: name, targets: plan.targets.length, parallel: plan.parallel })
  const done = new Set<string>()
  let failed = 0
  await runBounded(
    plan.targets,
    plan.parallel,
    async (target) => {
      state.events({ type: 'fleet.target.start', target: target.name, stage: name })
      const line = await applyTarget(state.run, target, name, state.version)
      done.add(target.name)
      state.lines.push(line)
      announce(state.events, line, name)
      if (line.result === 'failed') failed += 1
      const halt = state.halt ?? haltOf(plan, failed, state.run.signal)
      if (halt && !state.halt) {
        state.halt = halt
        state.events({ type: 'fleet.halted', ...halt })
      }
    },
    () => state.halt !== null,
  )
  // The callbacks above may have set the halt; TypeScript still sees the null checked at the top.
  const reason = (state.halt as RolloutHalt | null)?.reason ?? 'not started'
  for (const t of plan.targets) if (!done.has(t.name)) state.lines.push(skipped(t, name, reason))
  state.events({ type: 'fleet.stage.done', stage: name, targets: plan.targets.length, failed })
}

/** Why the rollout must stop after this target, or null: more failures than the stage tolerates, or a cancel. */
function haltOf(plan: StagePlan, failed: number, signal: AbortSignal | undefined): RolloutHalt | null {
  const stage = plan.stage.name
  if (signal?.aborted) return { stage, reason: 'the rollout was cancelled' }
  if (failed <= plan.tolerated) return null
  const limit = plan.tolerated === 0 ? 'it tolerates none' : `it tolerates ${plan.tolerated}`
  return { stage, reason: `${failed} of ${plan.targets.length} targets failed in stage ${stage}; ${limit}` }
}

function announce(events: EventSink, line: FleetTargetReport, stage: string): void {
  const { name: target, result, versionBefore, versionAfter, durationMs } = line
  const error = line.error ? { code: line.error.code, message: line.error.message } : null
  events({ type: 'fleet.target.done', target, stage, result, versionBefore, versionAfter, durationMs, error })
}

function skipped(target: FleetTarget, stage: string | null, reason: string): FleetTargetReport {
  return {
    name: target.name,
    stage,
    result: 'skipped',
    versionBefore: null,
    versionAfter: null,
    applied: [],
    durationMs: 0,
    error: null,
    reason,
  }
}
