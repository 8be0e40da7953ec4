import type { BundleLimits } from '../bundle/limits.js'
import { Migrator } from '../engine/migrator.js'
import type { EventSink } from '../events/events.js'
import { serializeSnapshot } from '../snapshot/schema-snapshot.js'
import type { ArtifactStorage } from '../storage/artifact-storage.js'
import { replayKey, type ReplayCache } from './replay-cache.js'
import type { ScratchDatabase } from './scratch-database.js'

/** The state below a replayed version, waiting for that version to be stored so its own state can be kept. */
export interface PendingKeep {
  /**
   * Applies `version`, now stored as `digest` in `storage` (the storage itself, not the replay's
   * view with the candidate), on the waiting state with the real engine and keeps the result for
   * the next build when its schema serializes to `snapshot` (the bytes the replay recorded).
   * Reports the outcome in a `replay.cache` event; never throws: the version is stored already,
   * and a later build without the state only replays more.
   */
  keep(stored: StoredVersion): Promise<void>
  /** Drops the waiting state (the version was not stored). */
  discard(): Promise<void>
}

/** A replayed version once stored: where, under which digest, and the snapshot bytes it recorded. */
export interface StoredVersion {
  storage: ArtifactStorage
  version: string
  digest: string
  snapshot: Uint8Array
}

export interface PendingKeepInput {
  twin: ScratchDatabase
  cache: ReplayCache
  toolVersion: string
  limits?: Partial<BundleLimits> | undefined
  events: EventSink
}

/**
 * Holds `twin` until the replayed version is stored (see {@link PendingKeep}).
 *
 * @example
 * ```ts
 * const pending = pendingKeep({ twin, cache, toolVersion, events })
 * await pending.keep({ storage, version: '1.2.0', digest: ref.digest, snapshot: snapshotBytes })
 * ```
 */
export function pendingKeep(input: PendingKeepInput): PendingKeep {
  let open = true
  const dispose = async (): Promise<void> => {
    if (open) await input.twin.dispose().catch(() => undefined)
    open = false
  }
  return {
    async keep(stored) {
      const { version, digest } = stored
      const event = { type: 'replay.cache', version, digest, target: version, cache: input.cache.label } as const
      try {
        const reason = await keepApplied(input, stored)
        if (reason === null) open = false
        else await dispose()
        input.events(reason === null ? { ...event, outcome: 'kept' } : { ...event, outcome: 'not-kept', reason })
      } catch (err) {
        // keep() disposes of the database when it fails; after any other failure it is still ours.
        await dispose()
        input.events({ ...event, outcome: 'not-kept', reason: err instanceof Error ? err.message : String(err) })
      }
    },
    discard: dispose,
  }
}

/** Null when kept, else why not. */
async function keepApplied(input: PendingKeepInput, { storage, version, digest, snapshot }: StoredVersion) {
  const { twin, toolVersion, limits } = input
  await new Migrator({ storage, driver: twin.driver, toolVersion, limits, lockTimeoutMs: 10_000 }).apply(version)
  const live = serializeSnapshot(await twin.driver.snapshotSchema!())
  if (!live.equals(snapshot)) return `applying the stored ${version} again did not give the schema the replay recorded`
  const kept = await input.cache.keep(twin, replayKey(digest, toolVersion))
  return kept ? null : `${input.cache.label} cannot keep states right now`
}
