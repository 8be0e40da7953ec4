import { writeBundle, type BundleEntry } from '../bundle/bundle-writer.js'
import { compareBundleFiles } from '../bundle/file-order.js'
import type { EventSink } from '../events/events.js'
import type { Ledger, LedgerVersion } from '../ledger/ledger.js'
import { ledgerStorageError } from '../ledger/ledger-storage.js'
import { readReleasedFile } from '../ledger/repository-files.js'
import { computeChecksum } from '../manifest/checksum.js'
import type { ManifestFile, SqlKind, TransactionScope } from '../manifest/manifest.js'
import { validateManifest } from '../manifest/validate-manifest.js'
import { withVersions, type OverlayVersion } from '../replay/candidate-storage.js'
import type { ArtifactStorage } from '../storage/artifact-storage.js'
import { readSmall } from '../util/read-stream.js'
import type { SourceFolders } from './source-files.js'
import { manifestEntry } from './manifest-entry.js'

export interface RepositoryReplayInput {
  storage: ArtifactStorage
  ledger: Ledger
  /** The ledger file, for messages. */
  ledgerFile: string
  folders: SourceFolders
  /** Bundle paths declared to run outside a transaction. */
  noTransaction: ReadonlySet<string>
  transactionScope: TransactionScope
  toolVersion: string
  events: EventSink
}

// A released version's SQL alone; the replay reads it from memory.
const maxVersionBytes = 512 * 1024 * 1024

/**
 * The storage the snapshot replay reads: `storage`, plus every released version
 * it does not hold, rebuilt from the repository's files after each one's SHA-256
 * was checked against the ledger (`RELEASED_FILE_MODIFIED`, `RELEASED_FILE_MISSING`
 * otherwise). A rebuilt version stands in under the digest the ledger names, so the
 * versions after it chain to it as they chain to the released artifact. Says so in
 * a `replay.source` event. A fresh clone, whose local storage is empty, replays so.
 *
 * @example
 * ```ts
 * const replayed = await withRepositoryVersions({
 *   storage, ledger, ledgerFile, folders, noTransaction, transactionScope: 'version', toolVersion, events,
 * })
 * ```
 */
export async function withRepositoryVersions(input: RepositoryReplayInput): Promise<ArtifactStorage> {
  const stored = new Set((await input.storage.list()).map((v) => v.version))
  const missing = input.ledger.versions.filter((v) => !stored.has(v.version))
  if (missing.length === 0) return input.storage
  const rebuilt: OverlayVersion[] = []
  for (const entry of missing) rebuilt.push(await rebuildVersion(entry, input))
  const versions = missing.map((v) => v.version)
  input.events({ type: 'replay.source', versions, storage: input.storage.name, ledger: input.ledgerFile })
  return withVersions(input.storage, rebuilt, `${input.storage.name} + released versions rebuilt from the repository`)
}

async function rebuildVersion(entry: LedgerVersion, input: RepositoryReplayInput): Promise<OverlayVersion> {
  const sources: { kind: SqlKind; path: string; sha256: string; bytes: Buffer }[] = []
  for (const file of entry.files) {
    const read = await readReleasedFile(input.folders, entry.version, file)
    if (!read.ok) throw ledgerStorageError(read.problem, { file: input.ledgerFile, storage: input.storage.name })
    const kind = file.path.slice(0, file.path.indexOf('/')) as SqlKind
    sources.push({ kind, path: file.path, sha256: file.sha256, bytes: read.bytes })
  }
  sources.sort(compareBundleFiles)
  const files: ManifestFile[] = []
  for (const s of sources) files.push(await manifestEntry(s.path, s.kind, s.bytes, input.noTransaction.has(s.path)))
  const entries: BundleEntry[] = sources.map((s) => ({
    path: s.path,
    size: s.bytes.length,
    sha256: s.sha256,
    source: s.bytes,
  }))
  const manifest = validateManifest(
    {
      formatVersion: 1,
      version: entry.version,
      previousVersion: entry.previousVersion,
      previousDigest: previousDigestOf(entry, input.ledger),
      // Not a release: a stand-in for the released artifact, on the scratch database only.
      created: '1970-01-01T00:00:00.000Z',
      tools: { squizzle: input.toolVersion },
      transactionScope: input.transactionScope,
      files,
      checksum: computeChecksum(files),
    },
    `version ${entry.version} rebuilt from the repository`,
  )
  const what = `bundle of ${entry.version} rebuilt from the repository`
  const bundle = await readSmall(writeBundle(entries), maxVersionBytes, what)
  return { manifest, bundle, digest: entry.digest }
}

function previousDigestOf(entry: LedgerVersion, ledger: Ledger): string | null {
  return ledger.versions.find((v) => v.version === entry.previousVersion)?.digest ?? null
}
