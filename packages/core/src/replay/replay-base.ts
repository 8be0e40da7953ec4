import type { BundleLimits } from '../bundle/limits.js'
import type { EventSink } from '../events/events.js'
import type { SchemaSnapshot } from '../snapshot/schema-snapshot.js'
import type { ArtifactStorage } from '../storage/artifact-storage.js'
import { proveKeptState } from './kept-state-proof.js'
import { replayKey, type ReplayCache } from './replay-cache.js'
import type { ScratchDatabase, ScratchDatabaseFactory } from './scratch-database.js'

/** Where the replay of the target starts. */
export interface ReplayBase {
  /** The database the target is applied on, at `previous` (or empty). */
  scratch: ScratchDatabase
  /** Versions still to apply on `scratch` before the target (oldest first). */
  below: string[]
  /** Its schema, when it was already read (a kept state proven before use). */
  before: SchemaSnapshot | null
  /** A second database at the same state, to apply the target on once it is stored and keep that; or null. */
  twin: ScratchDatabase | null
  /** The version whose kept state was reused, or null. */
  reused: string | null
}

export interface ReplayBaseInput {
  storage: ArtifactStorage
  target: string
  /** Every version up to the target, oldest first, with its digest. */
  versions: readonly { version: string; digest: string }[]
  scratch: ScratchDatabaseFactory
  cache?: ReplayCache | undefined
  toolVersion: string
  limits?: Partial<BundleLimits> | undefined
  events: EventSink
  /** Applies versions up to `version` on a database (the replay's own engine, with its step events). */
  applyUpTo: (scratch: ScratchDatabase, version: string) => Promise<void>
}

/** A base with nothing applied below the target yet, nothing reused and no twin. */
const fromEmpty = { below: [], before: null, twin: null, reused: null } satisfies Omit<ReplayBase, 'scratch'>

/**
 * Opens the database the replay starts on. Without a cache: an empty one, with every
 * version below the target to apply. With one: a copy of the state kept for the
 * version below the target, proven against the stored versions (`replay.cache`
 * reused); when none is kept or the proof fails (`replay.cache` missed, with the
 * reason), the versions below the target are replayed on an empty database, which is
 * then kept. Either way a twin of that state is opened for keeping the target's.
 *
 * @example
 * ```ts
 * const base = await openReplayBase({ storage, target, versions, scratch, cache, toolVersion, events, applyUpTo })
 * ```
 */
export async function openReplayBase(input: ReplayBaseInput): Promise<ReplayBase> {
  const below = input.versions.slice(0, -1)
  const previous = below.at(-1)
  const { cache } = input
  if (!cache) return { ...fromEmpty, scratch: await input.scratch(), below: below.map((v) => v.version) }
  if (!previous) return { ...fromEmpty, scratch: await cache.fresh(), twin: await input.scratch() }
  const key = replayKey(previous.digest, input.toolVersion)
  const { version, digest } = previous
  const event = { type: 'replay.cache', version, digest, target: input.target, cache: cache.label } as const
  const reused = await restoreProven(input, cache, key, previous.version)
  if ('scratch' in reused) {
    input.events({ ...event, outcome: 'reused' })
    return { ...fromEmpty, ...reused, twin: await twinOf(cache, key, reused.scratch), reused: version }
  }
  input.events({ ...event, outcome: 'missed', reason: reused.missing })
  return replayAndKeep(input, cache, key, version)
}

async function restoreProven(input: ReplayBaseInput, cache: ReplayCache, key: string, version: string) {
  const restored = await cache.restore(key)
  if ('missing' in restored) return restored
  const digests = new Map(input.versions.slice(0, -1).map((v) => [v.version, v.digest]))
  try {
    const proof = await proveKeptState(restored.scratch.driver, input.storage, { version, digests }, input.limits)
    if ('problem' in proof) {
      await restored.scratch.dispose()
      return { missing: proof.problem }
    }
    return { scratch: restored.scratch, before: proof.schema }
  } catch (err) {
    await restored.scratch.dispose().catch(() => undefined)
    throw err
  }
}

/** A second copy of what was just restored; disposes of `scratch` when there is none. */
async function twinOf(cache: ReplayCache, key: string, scratch: ScratchDatabase): Promise<ScratchDatabase | null> {
  try {
    const twin = await cache.restore(key)
    return 'scratch' in twin ? twin.scratch : null
  } catch (err) {
    await scratch.dispose().catch(() => undefined)
    throw err
  }
}

/** The full replay below the target, kept, then restored twice: for the target and for keeping its state. */
async function replayAndKeep(
  input: ReplayBaseInput,
  cache: ReplayCache,
  key: string,
  version: string,
): Promise<ReplayBase> {
  const full = await replayedUpTo(input, version, () => cache.fresh())
  let kept: boolean
  try {
    kept = await cache.keep(full, key)
  } catch (err) {
    // The cache failed (and disposed of the database): the build goes on without it, replaying once more.
    const reason = err instanceof Error ? err.message : String(err)
    const { digest } = input.versions.at(-2)!
    const { target } = input
    input.events({ type: 'replay.cache', outcome: 'not-kept', version, digest, target, cache: cache.label, reason })
    return { ...fromEmpty, scratch: await replayedUpTo(input, version, input.scratch) }
  }
  // Not kept (e.g. another build holds the cache): the replay goes on on this database, without a twin.
  if (!kept) return { ...fromEmpty, scratch: full }
  const restored = await cache.restore(key)
  if ('scratch' in restored) {
    return { ...fromEmpty, scratch: restored.scratch, twin: await twinOf(cache, key, restored.scratch) }
  }
  // Kept but gone already (dropped by someone else in between): replay once more.
  return { ...fromEmpty, scratch: await replayedUpTo(input, version, input.scratch) }
}

async function replayedUpTo(
  input: ReplayBaseInput,
  version: string,
  open: ScratchDatabaseFactory,
): Promise<ScratchDatabase> {
  const scratch = await open()
  try {
    await input.applyUpTo(scratch, version)
    return scratch
  } catch (err) {
    await scratch.dispose().catch(() => undefined)
    throw err
  }
}
