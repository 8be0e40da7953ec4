import { createHash } from 'node:crypto'
import { writeBundle, type BundleEntry } from '../bundle/bundle-writer.js'
import type { BundleLimits } from '../bundle/limits.js'
import type { EventSink } from '../events/events.js'
import { snapshotPath, type Manifest, type ManifestFile } from '../manifest/manifest.js'
import { withCandidate } from '../replay/candidate-storage.js'
import { replayVersions, type ReplayCheck, type ReplayResult } from '../replay/replay-versions.js'
import type { ScratchDatabaseFactory } from '../replay/scratch-database.js'
import type { ReplayCache } from '../replay/replay-cache.js'
import { serializeSnapshot } from '../snapshot/schema-snapshot.js'
import type { ArtifactRef, ArtifactStorage } from '../storage/artifact-storage.js'
import type { PendingKeep } from '../replay/pending-keep.js'
import { readSmall } from '../util/read-stream.js'

/** How `buildVersion` records the expected schema of the version it builds. */
export interface SnapshotOptions {
  /** Opens the empty database every version is replayed on. */
  scratch: ScratchDatabaseFactory
  /** Proofs run on the scratch database after the replay (see `ReplayCheck`). */
  checks?: readonly ReplayCheck[]
  /**
   * Replayed states kept between builds on the server `scratch` opens databases on: the
   * replay starts from the proven state of the previous version, and the new version's
   * state is kept once it is stored. Without it, every build replays every version.
   */
  cache?: ReplayCache
}

export interface RecordSnapshotInput {
  storage: ArtifactStorage
  /** The version's manifest without a snapshot, validated. */
  manifest: Manifest
  /** The version's SQL files, as they will be bundled. */
  entries: readonly BundleEntry[]
  snapshot: SnapshotOptions
  toolVersion: string
  limits?: Partial<BundleLimits> | undefined
  events: EventSink
}

/** The snapshot as one more bundle file, with the replay that produced it. */
export interface RecordedSnapshot {
  file: ManifestFile
  entry: BundleEntry
  replay: ReplayResult
  /** With a replay cache: keeps the version's replayed state once it is stored, or drops it; one must be called. */
  pending: { keep(ref: ArtifactRef): Promise<void>; discard(): Promise<void> } | null
}

// Bundles of the SQL alone; the replay reads them from memory.
const maxCandidateBytes = 512 * 1024 * 1024

/**
 * Replays every stored version plus the candidate on a scratch database and turns
 * the resulting schema into the bundle file `schema/snapshot.json`. The file is
 * listed in the manifest (size, SHA-256), so the manifest checksum, the bundle
 * digest and any signature cover it.
 *
 * @example
 * ```ts
 * const { file, entry } = await recordSnapshot({
 *   storage,
 *   manifest,
 *   entries,
 *   snapshot: { scratch },
 *   toolVersion: '0.1.0',
 *   events,
 * })
 * ```
 */
export async function recordSnapshot(input: RecordSnapshotInput): Promise<RecordedSnapshot> {
  const bundle = await readSmall(writeBundle(input.entries), maxCandidateBytes, `bundle of ${input.manifest.version}`)
  const replay = await replayVersions({
    storage: withCandidate(input.storage, { manifest: input.manifest, bundle }),
    target: input.manifest.version,
    scratch: input.snapshot.scratch,
    checks: input.snapshot.checks,
    cache: input.snapshot.cache,
    toolVersion: input.toolVersion,
    limits: input.limits,
    events: input.events,
  })
  const bytes = serializeSnapshot(replay.snapshot)
  const sha256 = createHash('sha256').update(bytes).digest('hex')
  return {
    file: { path: snapshotPath, kind: 'schema', size: bytes.length, sha256, transaction: true },
    entry: { path: snapshotPath, size: bytes.length, sha256, source: bytes },
    replay,
    pending: replay.pending && keepAfterStore(replay.pending, input.storage, bytes),
  }
}

// The state is kept from the storage itself: the replay's view serves the candidate, not the stored version.
function keepAfterStore(
  pending: PendingKeep,
  storage: ArtifactStorage,
  snapshot: Buffer,
): NonNullable<RecordedSnapshot['pending']> {
  return {
    keep: (ref) => pending.keep({ storage, version: ref.version, digest: ref.digest, snapshot }),
    discard: () => pending.discard(),
  }
}
