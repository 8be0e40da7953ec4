/** What a rollout did to one target. */
export type TargetResult = 'applied' | 'current' | 'failed' | 'skipped'

/** A target's error in a report: code, category (for exit codes) and message, secrets removed. */
export interface TargetError {
  code: string
  category: string
  message: string
  hint: string | null
}

/** One target's line of a rollout report. */
export interface FleetTargetReport {
  name: string
  /** The stage it was in; null when no stage selected it. */
  stage: string | null
  result: TargetResult
  /** Its version before the rollout, as its history said (null: none, or not reached). */
  versionBefore: string | null
  /** Its version after: what its history holds now, as far as this run saw. */
  versionAfter: string | null
  /** The versions this run applied to it, in order. */
  applied: string[]
  durationMs: number
  error: TargetError | null
  /** Why a skipped target was not applied (halted, cancelled, in no stage). */
  reason: string | null
}

/** Why a rollout stopped before its last target. */
export interface RolloutHalt {
  stage: string
  reason: string
}

/** The outcome of a whole rollout: one line per target, in stage order. */
export interface RolloutReport {
  version: string
  targets: FleetTargetReport[]
  /** Counts by result. */
  totals: Record<TargetResult, number>
  halted: RolloutHalt | null
  durationMs: number
}

/**
 * Counts the targets of each result.
 *
 * @example
 * ```ts
 * countResults(report.targets).failed // 0 on a clean rollout
 * ```
 */
export function countResults(targets: readonly FleetTargetReport[]): Record<TargetResult, number> {
  const totals = { applied: 0, current: 0, failed: 0, skipped: 0 }
  for (const t of targets) totals[t.result] += 1
  return totals
}
