import { createHash } from 'node:crypto'
import { writeBundle, type BundleEntry } from '../bundle/bundle-writer.js'
import type { BundleLimits } from '../bundle/limits.js'
import type { EventSink } from '../events/events.js'
import { snapshotPath, type Manifest, type ManifestFile } from '../manifest/manifest.js'
import { withCandidate } from '../replay/candidate-storage.js'
import { replayVersions, type ReplayCheck, type ReplayResult } from '../replay/replay-versions.js'
import type { ScratchDatabaseFactory } from '../replay/scratch-database.js'
import { serializeSnapshot } from '../snapshot/schema-snapshot.js'
import type { ArtifactStorage } from '../storage/artifact-storage.js'
import { readSmall } from '../util/read-stream.js'

/** How `buildVersion` records the expected schema of the version it builds. */
export interface SnapshotOptions {
  /** Opens the empty database every version is replayed on. */
  scratch: ScratchDatabaseFactory
  /** Proofs run on the scratch database after the replay (see `ReplayCheck`). */
  checks?: readonly ReplayCheck[]
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
 * const { file, entry } = await recordSnapshot({ storage, manifest, entries, snapshot: { scratch }, toolVersion: '0.1.0', events })
 * ```
 */
export async function recordSnapshot(input: RecordSnapshotInput): Promise<RecordedSnapshot> {
  const bundle = await readSmall(writeBundle(input.entries), maxCandidateBytes, `bundle of ${input.manifest.version}`)
  const replay = await replayVersions({
    storage: withCandidate(input.storage, { manifest: input.manifest, bundle }),
    target: input.manifest.version,
    scratch: input.snapshot.scratch,
    checks: input.snapshot.checks,
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
  }
}
