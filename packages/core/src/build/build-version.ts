import { writeBundle, sourceDateEpoch, type BundleEntry } from '../bundle/bundle-writer.js'
import type { BundleLimits } from '../bundle/limits.js'
import { SquizzleError } from '../errors/squizzle-error.js'
import { ignoreEvents, type EventSink } from '../events/events.js'
import { computeChecksum } from '../manifest/checksum.js'
import type { Manifest, ManifestFile, TransactionScope } from '../manifest/manifest.js'
import { validateManifest } from '../manifest/validate-manifest.js'
import { appendRelease, latestRelease, releasedFiles, type Ledger, type LedgerVersion } from '../ledger/ledger.js'
import { writeLedgerFile } from '../ledger/ledger-file.js'
import type { ArtifactRef, ArtifactStorage, PushInput } from '../storage/artifact-storage.js'
import { parseVersion } from '../version/version.js'
import { assertNewVersion, ledgerForBuild } from './build-ledger.js'
import { manifestEntryOfFile, sha256OfFile } from './manifest-entry.js'
import { withRepositoryVersions } from './repository-versions.js'
import { checkRollbackPairing } from './reversibility.js'
import { findSourceFiles, type SourceFile, type SourceFolders } from './source-files.js'
import { recordSnapshot, type RecordedSnapshot, type SnapshotOptions } from './record-snapshot.js'
import { checkNoTransactionPaths } from './no-transaction-paths.js'
import { assertManifestFits } from './manifest-size.js'

export interface BuildOptions {
  version: string
  storage: ArtifactStorage
  /**
   * The release ledger file (e.g. `db/squizzle.sum`, committed with the SQL): what
   * is new is decided from it, it is checked against the storage, and the version
   * is appended to it once stored. Created by the first build.
   */
  ledger: string
  folders: SourceFolders
  toolVersion: string
  drizzleKitVersion?: string
  notes?: string
  author?: string
  transactionScope?: TransactionScope
  /** Build even though no rollback SQL came with the version; recorded in the manifest. */
  irreversible?: boolean
  /**
   * Every migration needs its rollback file, `rollback/<name>` for `migrations/<name>` or
   * `drizzle/<name>` (default true; config `rollback.required`). With false, migrations may
   * go without one (a warning names them) and a version without any is built irreversible.
   */
  rollbackRequired?: boolean
  /**
   * Bundle paths (`migrations/0219_x.sql`) of files that run outside a transaction
   * without carrying `-- squizzle:no-transaction`, as Diesel's `run_in_transaction = false`
   * or Flyway's `executeInTransaction=false` declare it. Each must name a source file.
   */
  noTransaction?: readonly string[]
  /** Replay every version on a scratch database and store the resulting schema in the bundle. */
  snapshot?: SnapshotOptions
  /** Limits for reading stored bundles during the replay. */
  limits?: Partial<BundleLimits>
  events?: EventSink
  /**
   * Checks the version's new files (e.g. a linter) after they were analysed and
   * before anything is stored; throwing aborts the build and stores nothing.
   */
  beforeStore?: (files: NewSourceFile[]) => Promise<void>
  /**
   * The release evidence to attach (SBOM, provenance, signature; e.g. `releaseEvidence`
   * of `@squizzle/security`), computed from the stored version and stored before it
   * becomes visible (see `PushInput.attachments`). Needs a storage with `attach`.
   */
  attachments?: PushInput['attachments']
  /**
   * Where `SOURCE_DATE_EPOCH` (the manifest's `created` time and the bundle's mtimes, for
   * reproducible builds) is read from; default `process.env`. A CLI passes its own.
   */
  env?: Readonly<Record<string, string | undefined>>
}

/** A file new in the version being built: where it is on disk and its manifest entry. */
export interface NewSourceFile {
  file: string
  entry: ManifestFile
}

export interface BuildResult {
  ref: ArtifactRef
  manifest: Manifest
}

/** What the ledger and the source folders say the new version holds. */
interface Release {
  version: string
  ledger: Ledger
  latest: LedgerVersion | null
  noTransaction: ReadonlySet<string>
  added: AddedFile[]
}

/** A file new in the version: where it is on disk and its manifest entry. */
interface AddedFile {
  source: SourceFile
  entry: ManifestFile
}

/** The version as it will be stored: its manifest and the bundle's entries. */
interface VersionContent {
  manifest: Manifest
  entries: BundleEntry[]
  /** The replayed state waiting to be kept once the version is stored. */
  pending?: RecordedSnapshot['pending']
}

/**
 * Bundles the SQL files the ledger does not list yet into a new, immutable
 * version, stores it, then appends it to the ledger. Refuses a version not above
 * the newest released one, a released file that changed since, a ledger that
 * disagrees with the storage, SQL that cannot run as written, and rollback files
 * that do not pair one to one with the version's migrations (see
 * `checkRollbackPairing`) unless it is marked `irreversible`. The manifest names the
 * previous released version and its digest, so apply can check the chain. With
 * `attachments`, the evidence is stored before the version becomes visible: a
 * failure there leaves no version and no ledger entry.
 *
 * @example
 * ```ts
 * const { ref } = await buildVersion({
 *   version: '1.1.0', storage, toolVersion: '0.1.0', ledger: 'db/squizzle.sum',
 *   folders: { migrations: 'db/migrations', rollback: 'db/rollback', seed: 'db/seed' },
 * })
 * console.log(ref.digest)
 * ```
 */
export async function buildVersion(options: BuildOptions): Promise<BuildResult> {
  const events = options.events ?? ignoreEvents
  assertCanAttach(options)
  const release = await readRelease(options, parseVersion(options.version), events)
  const irreversible = checkPairing(options, release, events)
  await options.beforeStore?.(release.added.map((a) => ({ file: a.source.file, entry: a.entry })))
  const content = await assembleVersion(options, release, irreversible, events)
  let ref: ArtifactRef
  try {
    ref = await storeVersion(options, content, events, release.added.length)
    await appendToLedger(options, release, ref, events)
  } catch (err) {
    await content.pending?.discard()
    throw err
  }
  // Only a stored (and released) version's state is kept: the next build's previous version.
  await content.pending?.keep(ref)
  return { ref, manifest: content.manifest }
}

/** Refuses evidence to attach to a storage that cannot hold it, before anything is read or stored. */
function assertCanAttach(options: BuildOptions): void {
  if (!options.attachments || options.storage.attach) return
  throw new SquizzleError(
    'STORAGE_UNSUPPORTED',
    `${options.storage.name} cannot hold signatures, SBOMs or provenance`,
    {
      hint: 'Build into an OCI image layout directory or an OCI registry, or build without attachments.',
    },
  )
}

/** The ledger (checked against the storage), the version's place after the latest release, and its new files. */
async function readRelease(options: BuildOptions, version: string, events: EventSink): Promise<Release> {
  const ledger = await ledgerForBuild(options.ledger, options.storage)
  assertNewVersion(version, ledger, options.ledger)
  const latest = latestRelease(ledger)
  const sources = await findSourceFiles(options.folders)
  const noTransaction = checkNoTransactionPaths(options.noTransaction ?? [], sources)
  const added = await newFiles(sources, releasedFiles(ledger), noTransaction, events)
  if (added.length === 0) {
    throw new SquizzleError('NOTHING_TO_BUILD', `no new SQL files since version ${latest?.version ?? '(none)'}`, {
      hint: 'Add a file under your migrations (or seed, rollback) folder, then build again.',
    })
  }
  return { version, ledger, latest, noTransaction, added }
}

/** Checks that rollback files pair with migrations; warns for each migration without one; true when irreversible. */
function checkPairing(options: BuildOptions, release: Release, events: EventSink): boolean {
  const { version, added } = release
  const released = releasedFiles(release.ledger)
  const pairing = checkRollbackPairing({
    version,
    files: added.map((a) => a.entry),
    irreversible: options.irreversible === true,
    required: options.rollbackRequired !== false,
    releasedIn: (path) => released.get(path)?.version,
  })
  for (const path of pairing.unpaired) {
    const message =
      `no rollback file: rolling back ${version} leaves this migration's change in place ` +
      '(the schema check then fails if it changed the schema)'
    events({ type: 'warning', code: 'ROLLBACK_MISSING', version, path, message })
  }
  return pairing.irreversible
}

/** The manifest and bundle entries, with the replayed schema snapshot when one is asked for. */
async function assembleVersion(
  options: BuildOptions,
  release: Release,
  irreversible: boolean,
  events: EventSink,
): Promise<VersionContent> {
  const files = release.added.map((a) => a.entry)
  const entries: BundleEntry[] = release.added.map((a) => {
    const { path, size, sha256 } = a.entry
    return { path, size, sha256, source: { file: a.source.file } }
  })
  const manifestOf = versionManifest(options, release.version, release.latest, irreversible)
  // Checked before the replay and the push; again below, once the snapshot file is listed.
  assertManifestFits(manifestOf(files))
  if (!options.snapshot) return { manifest: manifestOf(files), entries }
  const recorded = await snapshotFor(options, release, { manifest: manifestOf([...files]), entries }, events)
  files.push(recorded.file)
  entries.push(recorded.entry)
  const { pending } = recorded
  try {
    const manifest = manifestOf(files)
    assertManifestFits(manifest)
    return { manifest, entries, pending }
  } catch (err) {
    await pending?.discard()
    throw err
  }
}

/** Replays every version plus this one (released versions the storage lacks, from the repository). */
async function snapshotFor(options: BuildOptions, release: Release, candidate: VersionContent, events: EventSink) {
  const { toolVersion, limits, snapshot } = options
  // Released versions the storage lacks (a fresh clone) replay from the repository, checked against the ledger.
  const storage = await withRepositoryVersions({
    ...replaySources(options, release.ledger, release.noTransaction),
    events,
  })
  const entries = [...candidate.entries]
  return recordSnapshot({
    storage,
    manifest: candidate.manifest,
    entries,
    snapshot: snapshot!,
    toolVersion,
    limits,
    events,
  })
}

/** Stores the version, its attachments before its tag. */
async function storeVersion(
  options: BuildOptions,
  content: VersionContent,
  events: EventSink,
  added: number,
): Promise<ArtifactRef> {
  const { manifest } = content
  const attachments = options.attachments ? { attachments: options.attachments } : {}
  const bundle = writeBundle(content.entries, { mtime: sourceDateEpoch(options.env ?? process.env) })
  const ref = await options.storage.push({ manifest, bundle, ...attachments })
  events({ type: 'build.done', version: manifest.version, digest: ref.digest, files: added, bytes: ref.bundleSize })
  return ref
}

/** Only a stored version is released: the ledger never names an artifact that does not exist. */
async function appendToLedger(
  options: BuildOptions,
  release: Release,
  ref: ArtifactRef,
  events: EventSink,
): Promise<void> {
  const { version, latest } = release
  const files = release.added.map((a) => ({ path: a.entry.path, sha256: a.entry.sha256 }))
  const entry = { version, digest: ref.digest, previousVersion: latest?.version ?? null, files }
  await writeLedgerFile(options.ledger, appendRelease(release.ledger, entry))
  events({ type: 'ledger.append', version, digest: ref.digest, ledger: options.ledger })
}

/** The source files the ledger does not list, with their manifest entries; a released file must be unchanged. */
async function newFiles(
  sources: readonly SourceFile[],
  released: ReadonlyMap<string, { sha256: string; version: string }>,
  noTransaction: ReadonlySet<string>,
  events: EventSink,
): Promise<AddedFile[]> {
  const added: AddedFile[] = []
  for (const source of sources) {
    // Streamed: a source file of any size costs about a megabyte here.
    const previous = released.get(source.path)
    if (previous) {
      const sha256 = await sha256OfFile(source.file)
      if (previous.sha256 !== sha256) {
        throw new SquizzleError(
          'RELEASED_FILE_MODIFIED',
          `${source.file} was released in version ${previous.version} and has been modified since`,
          {
            hint:
              `Released SQL is immutable. Restore ${source.file} to its released content ` +
              'and put the change in a new file.',
            details: { path: source.path, version: previous.version, released: previous.sha256, current: sha256 },
          },
        )
      }
      continue
    }
    const entry = await manifestEntryOfFile(source.path, source.kind, source.file, noTransaction.has(source.path))
    added.push({ source, entry })
    events({
      type: 'build.file',
      path: entry.path,
      kind: entry.kind,
      size: entry.size,
      transactional: entry.transaction,
    })
  }
  return added
}

/** Builds (and validates) the version's manifest for a file list, chained to the latest release. */
function versionManifest(
  options: BuildOptions,
  version: string,
  latest: LedgerVersion | null,
  irreversible: boolean,
): (files: ManifestFile[]) => Manifest {
  const created = createdAt(options.env ?? process.env)
  return (listed) =>
    validateManifest(
      {
        formatVersion: 1,
        version,
        previousVersion: latest?.version ?? null,
        previousDigest: latest?.digest ?? null,
        created,
        ...(options.notes ? { notes: options.notes } : {}),
        ...(options.author ? { author: options.author } : {}),
        tools: {
          squizzle: options.toolVersion,
          ...(options.drizzleKitVersion ? { 'drizzle-kit': options.drizzleKitVersion } : {}),
        },
        transactionScope: options.transactionScope ?? 'version',
        ...(irreversible ? { irreversible: true } : {}),
        files: listed,
        checksum: computeChecksum(listed),
      },
      `manifest of ${version}`,
    )
}

/** Where the snapshot replay finds released versions: the storage, else the repository's files. */
function replaySources(options: BuildOptions, ledger: Ledger, noTransaction: ReadonlySet<string>) {
  const { storage, folders, toolVersion } = options
  const transactionScope = options.transactionScope ?? 'version'
  return { storage, ledger, ledgerFile: options.ledger, folders, noTransaction, transactionScope, toolVersion }
}

function createdAt(env: Readonly<Record<string, string | undefined>>): string {
  const epoch = env['SOURCE_DATE_EPOCH'] === undefined ? undefined : sourceDateEpoch(env)
  return (epoch === undefined ? new Date() : new Date(epoch * 1000)).toISOString()
}
