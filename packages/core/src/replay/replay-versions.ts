import type { BundleLimits } from '../bundle/limits.js'
import type { DatabaseDriver } from '../driver/database-driver.js'
import { isSquizzleError, SquizzleError } from '../errors/squizzle-error.js'
import { ignoreEvents, type EventSink, type SquizzleEvent } from '../events/events.js'
import { Migrator } from '../engine/migrator.js'
import type { SchemaSnapshot } from '../snapshot/schema-snapshot.js'
import type { ArtifactStorage } from '../storage/artifact-storage.js'
import { compareVersions } from '../version/version.js'
import type { ScratchDatabase, ScratchDatabaseFactory } from './scratch-database.js'
import { pendingKeep, type PendingKeep } from './pending-keep.js'
import { openReplayBase, type ReplayBase } from './replay-base.js'
import type { ReplayCache } from './replay-cache.js'

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
  /**
   * Replayed states kept between builds, on the server `scratch` opens databases on: the
   * replay starts from the state kept for the version below the target, once proven (see
   * `openReplayBase`), and the result holds a `pending` keep for the target's own state.
   */
  cache?: ReplayCache | undefined
  toolVersion: string
  limits?: Partial<BundleLimits> | undefined
  events?: EventSink | undefined
  /** Run in order after the replay, on the same database. */
  checks?: readonly ReplayCheck[] | undefined
}

export interface ReplayResult {
  /** The schema after `target`: what a database at that version must look like. */
  snapshot: SchemaSnapshot
  /** Every version the schema comprises, oldest first. */
  versions: string[]
  /** The version whose kept state the replay started from (so only the target was applied), or null. */
  reused: string | null
  /** With a cache: keeps the target's state once it is stored (`keep`), or drops it (`discard`); one must be called. */
  pending: PendingKeep | null
  /** Where the replay ran (no secrets). */
  database: string
  durationMs: number
}

/**
 * Applies every stored version up to `target`, in order, with the real engine, on
 * a database that starts empty (or, with a `cache`, at the proven state kept for the
 * version below the target), then snapshots its schema and runs the `checks`.
 * The scratch database is always disposed of. A version whose SQL fails fails the
 * replay with `REPLAY_FAILED` (its cause attached).
 *
 * @example
 * ```ts
 * const { snapshot } = await replayVersions({
 *   storage: withCandidate(storage, candidate),
 *   target: '1.2.0',
 *   scratch,
 *   toolVersion: '0.1.0',
 * })
 * ```
 */
export async function replayVersions(options: ReplayOptions): Promise<ReplayResult> {
  const events = options.events ?? ignoreEvents
  const started = Date.now()
  const listed = (await options.storage.list())
    .filter((v) => compareVersions(v.version, options.target) <= 0)
    .sort((a, b) => compareVersions(a.version, b.version))
  const versions = listed.map((v) => v.version)
  events({ type: 'replay.prepare', target: options.target })
  const engine = replayEngine(options, versions.length, events)
  const base = await openReplayBase({ ...options, versions: listed, events, applyUpTo: engine.applyUpTo })
  let result: ReplayResult
  try {
    const { snapshot, pending } = await replayTarget(options, versions, base, engine, events)
    const durationMs = Date.now() - started
    result = { snapshot, versions, reused: base.reused, pending, database: base.scratch.label, durationMs }
  } catch (err) {
    // The replay's failure is the news; a failure to clean up after it must not replace it.
    await base.scratch.dispose().catch(() => undefined)
    await base.twin?.dispose().catch(() => undefined)
    throw err
  }
  try {
    await base.scratch.dispose()
  } catch (err) {
    await result.pending?.discard()
    throw err
  }
  const objects = result.snapshot.objects.length
  const { durationMs } = result
  events({ type: 'replay.done', target: options.target, versions: versions.length, objects, durationMs })
  return result
}

/** How the replay applies versions: engines that report steps (counted over the whole replay), announced once. */
interface ReplayEngine {
  migratorOn(scratch: ScratchDatabase, total: number): Migrator
  announce(scratch: ScratchDatabase, count: number): void
  applyUpTo(scratch: ScratchDatabase, version: string): Promise<void>
}

function replayEngine(options: ReplayOptions, count: number, events: EventSink): ReplayEngine {
  const { storage, toolVersion, limits, target } = options
  let done = 0
  let announced = false
  const step = (e: SquizzleEvent, total: number) => {
    if (e.type !== 'version.done') return
    events({ type: 'replay.step', target, version: e.version, done: ++done, versions: total })
  }
  const engine: ReplayEngine = {
    migratorOn(scratch, total) {
      const { driver } = scratch
      const lockTimeoutMs = 10_000
      return new Migrator({ storage, driver, toolVersion, limits, lockTimeoutMs, events: (e) => step(e, total) })
    },
    announce(scratch, versions) {
      if (!announced) events({ type: 'replay.start', target, versions, database: scratch.label })
      announced = true
    },
    async applyUpTo(scratch, version) {
      engine.announce(scratch, count)
      await replayStep(engine.migratorOn(scratch, count), version, scratch)
    },
  }
  return engine
}

/** Applies what is left up to the target on the base, snapshots it and runs the checks. */
async function replayTarget(
  options: ReplayOptions,
  versions: readonly string[],
  base: ReplayBase,
  engine: ReplayEngine,
  events: EventSink,
): Promise<{ snapshot: SchemaSnapshot; pending: PendingKeep | null }> {
  const { scratch, twin } = base
  const { storage, target, toolVersion, limits, cache } = options
  const previous = versions.length > 1 ? versions.at(-2)! : null
  const snapshotOf = snapshotter(scratch)
  const total = base.reused === null ? versions.length : 1
  engine.announce(scratch, total)
  const migrator = engine.migratorOn(scratch, total)
  if (previous !== null && base.below.length > 0) await replayStep(migrator, previous, scratch)
  const before = base.before ?? (await snapshotOf())
  await replayStep(migrator, target, scratch)
  const after = await snapshotOf()
  const { driver } = scratch
  const context: ReplayContext = { migrator, driver, storage, target, previous, before, after, snapshot: snapshotOf }
  for (const check of options.checks ?? []) await check(context)
  const pending = twin && cache ? pendingKeep({ twin, cache, toolVersion, limits, events }) : null
  return { snapshot: after, pending }
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
