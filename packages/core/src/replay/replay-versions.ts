import type { BundleLimits } from '../bundle/limits.js'
import type { DatabaseDriver } from '../driver/database-driver.js'
import { isSquizzleError, SquizzleError } from '../errors/squizzle-error.js'
import { ignoreEvents, type EventSink, type SquizzleEvent } from '../events/events.js'
import { Migrator } from '../engine/migrator.js'
import type { SchemaSnapshot } from '../snapshot/schema-snapshot.js'
import type { ArtifactStorage } from '../storage/artifact-storage.js'
import { compareVersions } from '../version/version.js'
import type { ScratchDatabase, ScratchDatabaseFactory } from './scratch-database.js'

/** What a {@link ReplayCheck} gets: the scratch database right after the replay. */
export interface ReplayContext {
  /** The engine on the scratch database, over the replayed storage. */
  migrator: Migrator
  driver: DatabaseDriver
  storage: ArtifactStorage
  /** The replayed version (the newest one applied). */
  target: string
  /** The version below `target`, or null when `target` is the first. */
  previous: string | null
  /** The schema after every version up to `previous` (no objects when there is none). */
  before: SchemaSnapshot
  /** The schema after `target`. */
  after: SchemaSnapshot
  /** Takes a fresh snapshot of the scratch database. */
  snapshot(): Promise<SchemaSnapshot>
}

/**
 * A proof run on the scratch database after the replay, e.g. "apply → rollback →
 * apply reaches the same schema". Throws a `SquizzleError` when the proof fails;
 * the build then stores nothing.
 */
export type ReplayCheck = (context: ReplayContext) => Promise<void>

export interface ReplayOptions {
  /** Holds every version to replay, the target included (see `withCandidate`). */
  storage: ArtifactStorage
  /** The last version to apply. */
  target: string
  /** Opens the empty database the replay runs on; it is disposed of afterwards. */
  scratch: ScratchDatabaseFactory
  toolVersion: string
  limits?: Partial<BundleLimits> | undefined
  events?: EventSink | undefined
  /** Run in order after the replay, on the same database. */
  checks?: readonly ReplayCheck[] | undefined
}

export interface ReplayResult {
  /** The schema after `target`: what a database at that version must look like. */
  snapshot: SchemaSnapshot
  /** Every version applied, oldest first. */
  versions: string[]
  /** Where the replay ran (no secrets). */
  database: string
  durationMs: number
}

/**
 * Applies every stored version up to `target`, in order, with the real engine, on
 * a database that starts empty, then snapshots its schema and runs the `checks`.
 * The scratch database is always disposed of. A version whose SQL fails fails the
 * replay with `REPLAY_FAILED` (its cause attached).
 *
 * @example
 * ```ts
 * const { snapshot } = await replayVersions({ storage: withCandidate(storage, candidate), target: '1.2.0', scratch, toolVersion: '0.1.0' })
 * ```
 */
export async function replayVersions(options: ReplayOptions): Promise<ReplayResult> {
  const events = options.events ?? ignoreEvents
  const started = Date.now()
  const versions = (await options.storage.list())
    .map((v) => v.version)
    .filter((v) => compareVersions(v, options.target) <= 0)
    .sort(compareVersions)
  const previous = versions.length > 1 ? versions.at(-2)! : null
  events({ type: 'replay.prepare', target: options.target })
  const scratch = await options.scratch()
  let result: ReplayResult
  try {
    const snapshotOf = snapshotter(scratch)
    events({ type: 'replay.start', target: options.target, versions: versions.length, database: scratch.label })
    let done = 0
    const { target } = options
    const step = (e: SquizzleEvent) => {
      if (e.type === 'version.done')
        events({ type: 'replay.step', target, version: e.version, done: ++done, versions: versions.length })
    }
    const { storage, toolVersion, limits } = options
    const migrator = new Migrator({
      storage,
      driver: scratch.driver,
      toolVersion,
      limits,
      lockTimeoutMs: 10_000,
      events: step,
    })
    if (previous !== null) await replayStep(migrator, previous, scratch)
    const before = await snapshotOf()
    await replayStep(migrator, options.target, scratch)
    const after = await snapshotOf()
    const context: ReplayContext = {
      migrator,
      driver: scratch.driver,
      storage: options.storage,
      target: options.target,
      previous,
      before,
      after,
      snapshot: snapshotOf,
    }
    for (const check of options.checks ?? []) await check(context)
    result = { snapshot: after, versions, database: scratch.label, durationMs: Date.now() - started }
  } catch (err) {
    // The replay's failure is the news; a failure to clean up after it must not replace it.
    await scratch.dispose().catch(() => undefined)
    throw err
  }
  await scratch.dispose()
  events({
    type: 'replay.done',
    target: options.target,
    versions: versions.length,
    objects: result.snapshot.objects.length,
    durationMs: result.durationMs,
  })
  return result
}

function snapshotter(scratch: ScratchDatabase): () => Promise<SchemaSnapshot> {
  const { driver } = scratch
  if (!driver.snapshotSchema) {
    throw new SquizzleError('SNAPSHOT_UNSUPPORTED', `the ${driver.name} driver cannot take schema snapshots`, {
      hint: 'Use a driver that implements snapshotSchema(), or build without a snapshot.',
      remedies: [{ operation: 'build', options: { snapshot: false } }],
    })
  }
  return () => driver.snapshotSchema!()
}

async function replayStep(migrator: Migrator, target: string, scratch: ScratchDatabase): Promise<void> {
  try {
    await migrator.apply(target)
  } catch (err) {
    // Integrity failures keep their code: the stored history itself is not trustworthy.
    if (isSquizzleError(err) && err.category !== 'failure') throw err
    const code = isSquizzleError(err) ? err.code : 'UNKNOWN'
    const reason = err instanceof Error ? err.message : String(err)
    throw new SquizzleError(
      'REPLAY_FAILED',
      `replaying the versions up to ${target} on an empty database failed: ${reason}`,
      {
        hint:
          `Every version must apply in order to an empty database (${scratch.label}). Fix the new SQL; if an older ` +
          'version fails, the scratch server differs from the one it was written for (extensions, server version): ' +
          'replay on a matching development server. A project whose first version expects an existing database ' +
          'builds without a snapshot.',
        remedies: [
          { operation: 'build', options: { devUrl: '<url>' } },
          { operation: 'build', options: { snapshot: false } },
        ],
        cause: err,
        details: { target, code, ...(isSquizzleError(err) ? err.details : {}) },
      },
    )
  }
}
