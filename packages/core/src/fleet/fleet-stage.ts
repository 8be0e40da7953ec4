import { SquizzleError } from '../errors/squizzle-error.js'
import type { FleetTarget } from './fleet-target.js'

/** `3` targets, or `'10%'` of the stage's targets (rounded down). */
export type FailureThreshold = number | `${number}%`

/**
 * One step of a rollout: the targets it selects, how many run at once, and how many
 * may fail before the rollout halts. A stage starts only after the one before it succeeded.
 */
export interface FleetStage {
  name: string
  /**
   * Which targets: those named in `names`, and those carrying every label of `labels`.
   * Without `select` the stage takes every target no earlier stage took. A target is in
   * the first stage that selects it.
   */
  select?: { names?: string[]; labels?: Record<string, string> }
  /** Targets applied at once (default 1): each holds its own connections and lock. */
  parallel?: number
  /**
   * `stop` (default): the first failure halts the rollout. `continue`: the stage goes on
   * and the rollout halts only past `maxFailures` (default: never).
   */
  onError?: 'stop' | 'continue'
  /** Failures the stage tolerates; one more halts the rollout. Overrides what `onError` implies. */
  maxFailures?: FailureThreshold
}

/** A stage with its targets and settings decided. */
export interface StagePlan {
  stage: FleetStage
  targets: FleetTarget[]
  parallel: number
  /** Failures tolerated; one more halts. */
  tolerated: number
}

/** The one stage of a rollout that names none: every target, one at a time, the first failure halts. */
export const defaultStage: FleetStage = { name: 'all' }

/**
 * Splits the targets into the stages, in order (each target in the first stage that
 * selects it), and the targets no stage selects. Throws `FLEET_STAGE_INVALID` for
 * duplicate stage names, a `parallel` below 1 or a malformed threshold.
 *
 * @example
 * ```ts
 * const { stages, unselected } = planStages(targets, [
 *   { name: 'canary', select: { labels: { tier: 'canary' } } },
 *   { name: 'rest', parallel: 8, onError: 'continue', maxFailures: '5%' },
 * ])
 * ```
 */
export function planStages(
  targets: readonly FleetTarget[],
  stages: readonly FleetStage[],
): { stages: StagePlan[]; unselected: FleetTarget[] } {
  const wanted = stages.length > 0 ? stages : [defaultStage]
  checkStageNames(wanted)
  let left = [...targets]
  const planned = wanted.map((stage) => {
    const taken = left.filter((t) => selects(stage, t))
    left = left.filter((t) => !taken.includes(t))
    return { stage, targets: taken, parallel: parallelOf(stage), tolerated: tolerated(stage, taken.length) }
  })
  return { stages: planned, unselected: left }
}

function selects(stage: FleetStage, target: FleetTarget): boolean {
  const select = stage.select
  if (!select) return true
  if (select.names?.includes(target.name)) return true
  const labels = select.labels
  if (!labels || Object.keys(labels).length === 0) return false
  return Object.entries(labels).every(([key, value]) => target.labels?.[key] === value)
}

function checkStageNames(stages: readonly FleetStage[]): void {
  const seen = new Set<string>()
  for (const s of stages) {
    if (seen.has(s.name)) throw invalidStage(s, 'is listed twice')
    seen.add(s.name)
  }
}

function parallelOf(stage: FleetStage): number {
  const parallel = stage.parallel ?? 1
  if (!Number.isInteger(parallel) || parallel < 1)
    throw invalidStage(stage, `has parallel ${parallel}; it must be 1 or more`)
  return parallel
}

/** How many failures the stage tolerates, from `maxFailures` (a count, or a percentage of its targets) or `onError`. */
function tolerated(stage: FleetStage, size: number): number {
  const threshold = stage.maxFailures
  if (threshold === undefined) return stage.onError === 'continue' ? Number.POSITIVE_INFINITY : 0
  if (typeof threshold === 'number') {
    if (Number.isInteger(threshold) && threshold >= 0) return threshold
  } else {
    const percent = Number(threshold.slice(0, -1))
    if (threshold.endsWith('%') && Number.isFinite(percent) && percent >= 0 && percent <= 100) {
      return Math.floor((size * percent) / 100)
    }
  }
  throw invalidStage(stage, `has maxFailures ${String(threshold)}; give a count (2) or a percentage ('10%')`)
}

function invalidStage(stage: FleetStage, problem: string): SquizzleError {
  return new SquizzleError('FLEET_STAGE_INVALID', `stage ${stage.name} ${problem}`, {
    hint: 'Give each stage a unique name, parallel of 1 or more, and maxFailures as a count or a percentage.',
    details: { stage: stage.name },
  })
}
