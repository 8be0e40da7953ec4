import type { LockHolderInfo } from '../events/events.js'
import type { TargetError } from './fleet-report.js'
import { checkTargets } from './fleet-target.js'
import { inspectTargets, type InspectOptions } from './inspect-targets.js'

/** One database of the fleet as its own history and lock say. */
export interface TargetStatus {
  name: string
  current: string | null
  /** Stored versions it has not applied. */
  pending: string[]
  /** Its unresolved failed runs (repair or apply again on that target). */
  failed: { version: string; operation: string; code: string }[]
  /** Who holds its migration lock now, or null. */
  lock: LockHolderInfo | null
  /** Why it could not be read (unreachable, refused), secrets removed. */
  error: TargetError | null
}

/** The whole fleet, read from the databases themselves (so any shard's runner may ask). */
export interface FleetStatus {
  targets: TargetStatus[]
  /** How many targets are at each version (`(none)` for none yet). */
  versions: Record<string, number>
  /** Targets with unresolved failed runs, locked now, and not readable. */
  failing: number
  locked: number
  unreachable: number
}

/**
 * Reads every target's current version, pending versions, failed runs and lock
 * holder, and counts the fleet by version. Changes nothing.
 *
 * @example
 * ```ts
 * const status = await fleetStatus({ targets, migrator: { storage, toolVersion: '1.0.0' }, connect })
 * status.versions // { '1.4.0': 97, '1.3.0': 3 }
 * ```
 */
export async function fleetStatus(options: InspectOptions): Promise<FleetStatus> {
  checkTargets(options.targets)
  const rows = await inspectTargets(options, async (migrator, driver) => {
    const plan = await migrator.plan()
    const failed = (await migrator.failedRuns()).map((e) => ({
      version: e.version,
      operation: e.operation,
      code: e.error?.code ?? 'UNKNOWN',
    }))
    return {
      current: plan.current,
      pending: plan.pending.map((p) => p.version),
      failed,
      lock: await driver.lockHolder(),
    }
  })
  const targets = rows.map(({ target, value, error }) => ({
    name: target.name,
    current: value?.current ?? null,
    pending: value?.pending ?? [],
    failed: value?.failed ?? [],
    lock: value?.lock ?? null,
    error,
  }))
  const versions: Record<string, number> = {}
  for (const t of targets) if (!t.error) versions[t.current ?? '(none)'] = (versions[t.current ?? '(none)'] ?? 0) + 1
  return {
    targets,
    versions,
    failing: targets.filter((t) => t.failed.length > 0).length,
    locked: targets.filter((t) => t.lock !== null).length,
    unreachable: targets.filter((t) => t.error !== null).length,
  }
}
