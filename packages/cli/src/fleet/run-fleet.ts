import { fleetStatus, planRollout, rollout, shard, type FleetTarget } from '@squizzle/core'
import type { CommandContext } from '../context.js'
import { interruptible } from '../commands/interruptible.js'
import { exitCodes } from '../exit-codes.js'
import { fleetDriverFactory, fleetMigratorOptions } from './fleet-driver.js'
import { fleetExitCode } from './fleet-exit-code.js'
import { printFleetStatus, printRolloutPlan, printRolloutReport } from './fleet-tables.js'
import { loadFleet } from './fleet-targets.js'

/** What every fleet action starts from: the targets of this shard, the stages, the engine settings. */
async function prepare(ctx: CommandContext, shardOf: { index: number; count: number } | null) {
  const { targets, stages } = await loadFleet(ctx)
  const mine: FleetTarget[] = shardOf ? shard(targets, shardOf.index, shardOf.count) : targets
  const connect = fleetDriverFactory(ctx)
  const migrator = await fleetMigratorOptions(ctx)
  const shardJson = shardOf ? { shard: { ...shardOf, targets: mine.length, fleet: targets.length } } : {}
  return { targets: mine, stages: stages ?? [], connect, migrator, env: ctx.io.env, shardJson }
}

/**
 * `fleet apply`: the rollout, live counts on a terminal, one report table (or --json) at the end.
 *
 * @example
 * ```ts
 * return applyFleet(ctx, '1.4.0', { index: 0, count: 4 })
 * ```
 */
export async function applyFleet(
  ctx: CommandContext,
  version: string | undefined,
  shardOf: { index: number; count: number } | null,
): Promise<number> {
  const { shardJson, ...options } = await prepare(ctx, shardOf)
  const r = ctx.reporter
  let cancelled = false
  const report = await interruptible(ctx, (signal) => {
    signal.addEventListener('abort', () => (cancelled = true))
    return rollout({ ...options, ...(version ? { version } : {}), events: r.onEvent, signal })
  })
  r.finish()
  printRolloutReport(r, report, ctx.outputWidth())
  const code = cancelled ? exitCodes.interrupted : fleetExitCode(report.targets)
  r.json({ ...report, ...shardJson, exitCode: code })
  return code
}

/**
 * `fleet plan`: per target its current version and what apply would run; changes nothing.
 *
 * @example
 * ```ts
 * return planFleet(ctx, undefined, null)
 * ```
 */
export async function planFleet(
  ctx: CommandContext,
  version: string | undefined,
  shardOf: { index: number; count: number } | null,
): Promise<number> {
  const { shardJson, ...options } = await prepare(ctx, shardOf)
  const plan = await planRollout({ ...options, ...(version ? { version } : {}) })
  printRolloutPlan(ctx.reporter, plan, ctx.outputWidth())
  ctx.reporter.json({ ...plan, ...shardJson })
  return plan.targets.some((t) => t.error) ? exitCodes.failure : exitCodes.ok
}

/**
 * `fleet status`: the fleet as its databases say (versions, failed runs, locks); exit 1 when a target cannot be read.
 *
 * @example
 * ```ts
 * return showFleetStatus(ctx, null)
 * ```
 */
export async function showFleetStatus(
  ctx: CommandContext,
  shardOf: { index: number; count: number } | null,
): Promise<number> {
  const { shardJson, stages: _stages, ...options } = await prepare(ctx, shardOf)
  const status = await fleetStatus(options)
  printFleetStatus(ctx.reporter, status, ctx.outputWidth())
  ctx.reporter.json({ ...status, ...shardJson })
  return status.unreachable > 0 ? exitCodes.failure : exitCodes.ok
}
