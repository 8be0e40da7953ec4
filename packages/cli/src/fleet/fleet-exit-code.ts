import type { FleetTargetReport } from '@squizzle/core'
import { exitCodeForCategory, exitCodes } from '../exit-codes.js'

/**
 * The exit code of a rollout: 0 when no target failed; 3, 4 or 5 when every failure is
 * of that one kind (integrity, signature, lock), as a single apply would exit; else 1.
 *
 * @example
 * ```ts
 * fleetExitCode(report.targets) // 5 when every failed target timed out on its lock
 * ```
 */
export function fleetExitCode(targets: readonly FleetTargetReport[]): number {
  const failed = targets.filter((t) => t.result === 'failed')
  if (failed.length === 0) return exitCodes.ok
  const codes = new Set(failed.map((t) => exitCodeForCategory(t.error?.category)))
  const [only] = codes
  const shared = [exitCodes.integrity, exitCodes.signature, exitCodes.lockTimeout] as number[]
  return codes.size === 1 && only !== undefined && shared.includes(only) ? only : exitCodes.failure
}
