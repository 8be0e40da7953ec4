import type { DatabaseDriver } from '../driver/database-driver.js'
import type { EventSink, SquizzleEvent } from '../events/events.js'
import { Migrator, type MigratorOptions } from '../engine/migrator.js'
import type { FleetTargetReport } from './fleet-report.js'
import { resolveConnection, type ConnectableTarget, type FleetTarget, type TargetEnvironment } from './fleet-target.js'
import { targetError } from './target-error.js'

/** Opens a connected driver for a target; the rollout closes it. */
export type DriverFactory = (target: ConnectableTarget) => Promise<DatabaseDriver>

/** What applying one target needs, shared by every target of a rollout. */
export interface TargetRun {
  connect: DriverFactory
  migrator: Omit<MigratorOptions, 'driver' | 'events'>
  env: TargetEnvironment
  /** Each target's own engine events (verification, files, lock waits), tagged by the caller. */
  targetEvents?: (target: string) => EventSink
  signal?: AbortSignal
}

/**
 * Applies `version` to one target through the Migrator (its verification, signature
 * policy, lock, transactions and audit) and reports the outcome; never throws. The
 * database's own history decides what runs, so a rerun applies only what is missing.
 *
 * @example
 * ```ts
 * const line = await applyTarget(run, { name: 'acme', url: 'env:ACME_URL' }, 'rest', '1.4.0')
 * ```
 */
export async function applyTarget(
  run: TargetRun,
  target: FleetTarget,
  stage: string,
  version: string,
): Promise<FleetTargetReport> {
  const started = Date.now()
  const seen = { before: null as string | null, after: null as string | null, applied: [] as string[] }
  const forward = run.targetEvents?.(target.name)
  const events: EventSink = (e) => {
    follow(seen, e)
    forward?.(e)
  }
  let connection: string | null = null
  const line = (fields: Partial<FleetTargetReport>) => reportLine(target.name, stage, seen, started, fields)
  try {
    const resolved = resolveConnection(target, run.env)
    connection = resolved.connection
    const result = await withDriver(await run.connect(resolved), (driver) => {
      const migrator = new Migrator({ ...run.migrator, driver, events })
      return migrator.apply(version, run.signal ? { signal: run.signal } : {})
    })
    const before = result.alreadyCurrent ? result.current : seen.before
    return line({
      result: result.alreadyCurrent ? 'current' : 'applied',
      versionBefore: before,
      versionAfter: result.current,
    })
  } catch (err) {
    return line({ result: 'failed', error: targetError(err, target, connection) })
  }
}

/** The target's report line: what the events showed so far, the time taken, and `fields` on top. */
function reportLine(
  name: string,
  stage: string,
  seen: { before: string | null; after: string | null; applied: string[] },
  started: number,
  fields: Partial<FleetTargetReport>,
): FleetTargetReport {
  return {
    name,
    stage,
    result: 'failed',
    versionBefore: seen.before,
    versionAfter: seen.after,
    applied: seen.applied,
    durationMs: Date.now() - started,
    error: null,
    reason: null,
    ...fields,
  }
}

/** Keeps what the engine's events say about the target's versions. */
function follow(seen: { before: string | null; after: string | null; applied: string[] }, e: SquizzleEvent): void {
  if (e.type === 'plan') {
    seen.before = e.current
    seen.after = e.current
  } else if (e.type === 'version.done') {
    seen.after = e.version
    seen.applied.push(e.version)
  }
}

/**
 * Runs `fn` on a connected driver and closes it (releasing any lock) whatever happens.
 *
 * @example
 * ```ts
 * await withDriver(await connect(target), (driver) => driver.records.history())
 * ```
 */
export async function withDriver<T>(driver: DatabaseDriver, fn: (driver: DatabaseDriver) => Promise<T>): Promise<T> {
  try {
    return await fn(driver)
  } finally {
    await driver.close()
  }
}
