import { parsePinnedVersion } from '../version/pinned-version.js'
import type { TargetError } from './fleet-report.js'
import { planStages, type FleetStage } from './fleet-stage.js'
import { checkTargets } from './fleet-target.js'
import { inspectTargets, type InspectOptions } from './inspect-targets.js'
import { rolloutVersion } from './rollout-version.js'

/** What a rollout would do to one target. */
export interface TargetPlan {
  name: string
  /** Its stage; null when no stage selects it (the rollout would skip it). */
  stage: string | null
  current: string | null
  /** The versions apply would run on it, in order; empty when it is at the version. */
  pending: string[]
  error: TargetError | null
}

/** A dry run of a rollout: the version, the stages in order, and each target's plan. */
export interface RolloutPlan {
  version: string
  stages: { name: string; targets: string[]; parallel: number; tolerated: number }[]
  targets: TargetPlan[]
}

/**
 * What `rollout` would do, changing nothing: each target's current version (from its
 * own history) and the versions that would run, and the stages with their targets.
 *
 * @example
 * ```ts
 * const plan = await planRollout({ targets, stages, migrator: { storage, toolVersion: '1.0.0' }, connect })
 * plan.targets.filter((t) => t.pending.length > 0).length // targets that would change
 * ```
 */
export async function planRollout(
  options: InspectOptions & { stages?: readonly FleetStage[]; version?: string },
): Promise<RolloutPlan> {
  checkTargets(options.targets)
  const { stages, unselected } = planStages(options.targets, options.stages ?? [])
  const version = await rolloutVersion(options.migrator.storage, options.version)
  const stageOf = new Map<string, string>()
  for (const s of stages) for (const t of s.targets) stageOf.set(t.name, s.stage.name)
  const target = parsePinnedVersion(version).version
  const rows = await inspectTargets(options, (migrator) => migrator.plan(target))
  return {
    version,
    stages: stages.map((s) => ({
      name: s.stage.name,
      targets: s.targets.map((t) => t.name),
      parallel: s.parallel,
      tolerated: s.tolerated,
    })),
    targets: rows.map(({ target: t, value, error }) => ({
      name: t.name,
      stage: unselected.includes(t) ? null : (stageOf.get(t.name) ?? null),
      current: value?.current ?? null,
      pending: value?.pending.map((p) => p.version) ?? [],
      error,
    })),
  }
}
