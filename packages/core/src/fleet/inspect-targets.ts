import type { DatabaseDriver } from '../driver/database-driver.js'
import { Migrator } from '../engine/migrator.js'
import type { TargetError } from './fleet-report.js'
import { withDriver, type DriverFactory, type TargetRun } from './apply-target.js'
import { resolveConnection, type FleetTarget, type TargetEnvironment } from './fleet-target.js'
import { runBounded } from './run-bounded.js'
import { targetError } from './target-error.js'

/** What reading a fleet needs: how to reach each database, and how many to read at once. */
export interface InspectOptions extends Pick<TargetRun, 'migrator'> {
  targets: readonly FleetTarget[]
  connect: DriverFactory
  /** Where `env:NAME` target URLs are read; default `process.env`. */
  env?: TargetEnvironment
  /** Databases read at once (default 8). */
  parallel?: number
}

/**
 * Reads every target with `read` (a Migrator on its connected driver), at most
 * `parallel` at once, in target order; a target that cannot be read gets its error
 * (secrets removed) instead. Changes nothing.
 *
 * @example
 * ```ts
 * const rows = await inspectTargets(options, (m) => m.plan('1.4.0'))
 * ```
 */
export async function inspectTargets<T>(
  options: InspectOptions,
  read: (migrator: Migrator, driver: DatabaseDriver) => Promise<T>,
): Promise<{ target: FleetTarget; value: T | null; error: TargetError | null }[]> {
  const env = options.env ?? process.env
  const rows = new Map<string, { target: FleetTarget; value: T | null; error: TargetError | null }>()
  await runBounded(options.targets, options.parallel ?? 8, async (target) => {
    let connection: string | null = null
    try {
      const resolved = resolveConnection(target, env)
      connection = resolved.connection
      const value = await withDriver(await options.connect(resolved), (driver) =>
        read(new Migrator({ ...options.migrator, driver }), driver),
      )
      rows.set(target.name, { target, value, error: null })
    } catch (err) {
      rows.set(target.name, { target, value: null, error: targetError(err, target, connection) })
    }
  })
  return options.targets.map((t) => rows.get(t.name)!)
}
