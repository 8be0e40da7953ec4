import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { writeBundle, sourceDateEpoch, type BundleEntry } from '../bundle/bundle-writer.js'
import type { BundleLimits } from '../bundle/limits.js'
import { SquizzleError } from '../errors/squizzle-error.js'
import { ignoreEvents, type EventSink } from '../events/events.js'
import { computeChecksum } from '../manifest/checksum.js'
import type { Manifest, ManifestFile, TransactionScope } from '../manifest/manifest.js'
import { validateManifest } from '../manifest/validate-manifest.js'
import { analyzeSql } from '../sql/analyze-sql.js'
import type { ArtifactRef, ArtifactStorage } from '../storage/artifact-storage.js'
import { compareVersions, parseVersion } from '../version/version.js'
import { assertReversibility } from './reversibility.js'
import { findSourceFiles, type SourceFile, type SourceFolders } from './source-files.js'
import { recordSnapshot, type SnapshotOptions } from './record-snapshot.js'
import { checkNoTransactionPaths } from './no-transaction-paths.js'

export interface BuildOptions {
  version: string
  storage: ArtifactStorage
  folders: SourceFolders
  toolVersion: string
  drizzleKitVersion?: string
  notes?: string
  author?: string
  transactionScope?: TransactionScope
  /** Build even though no rollback SQL came with the version; recorded in the manifest. */
  irreversible?: boolean
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

/**
 * Bundles the SQL files added since the latest stored version into a new,
 * immutable version and stores it. Refuses a version not above the latest,
 * a released file that changed since, SQL that cannot run as written, and a
 * version without rollback SQL unless it is marked `irreversible`.
 *
 * @example
 * ```ts
 * const { ref } = await buildVersion({
 *   version: '1.1.0', storage, toolVersion: '0.1.0',
 *   folders: { migrations: 'db/migrations', rollback: 'db/rollback', seed: 'db/seed' },
 * })
 * console.log(ref.digest)
 * ```
 */
export async function buildVersion(options: BuildOptions): Promise<BuildResult> {
  const version = parseVersion(options.version)
  const events = options.events ?? ignoreEvents
  const stored = (await options.storage.list()).sort((a, b) => compareVersions(a.version, b.version))
  const latest = stored.at(-1)?.version ?? null
  if (latest !== null && compareVersions(version, latest) <= 0) {
    const exists = stored.some((v) => v.version === version)
    throw new SquizzleError(exists ? 'VERSION_EXISTS' : 'VERSION_NOT_GREATER', exists ? `version ${version} already exists in ${options.storage.name}` : `version ${version} is not greater than the latest stored version ${latest}`, {
      hint: `Released versions are immutable. Choose a version above ${latest}.`,
      details: { version, latest },
    })
  }
  const released = await releasedFiles(options.storage, stored.map((v) => v.version))
  const sources = await findSourceFiles(options.folders)
  const noTransaction = checkNoTransactionPaths(options.noTransaction ?? [], sources)
  const added: { source: SourceFile; entry: ManifestFile }[] = []
  for (const source of sources) {
    const bytes = await readFile(source.file)
    const sha256 = createHash('sha256').update(bytes).digest('hex')
    const previous = released.get(source.path)
    if (previous) {
      if (previous.sha256 !== sha256) {
        throw new SquizzleError('RELEASED_FILE_MODIFIED', `${source.file} was released in version ${previous.version} and has been modified since`, {
          hint: `Released SQL is immutable. Restore ${source.file} to its released content and put the change in a new file.`,
          details: { path: source.path, version: previous.version, released: previous.sha256, current: sha256 },
        })
      }
      continue
    }
    const analysis = await analyzeSql(bytes.toString('utf8'), source.path, { noTransaction: noTransaction.has(source.path) })
    const entry: ManifestFile = { path: source.path, kind: source.kind, size: bytes.length, sha256, transaction: analysis.transaction }
    if (analysis.commitAfter) entry.commitAfter = true
    if (analysis.ownTransactionControl) entry.ownTransactionControl = true
    added.push({ source, entry })
    events({ type: 'build.file', path: entry.path, kind: entry.kind, size: entry.size, transactional: entry.transaction })
  }
  if (added.length === 0) {
    throw new SquizzleError('NOTHING_TO_BUILD', `no new SQL files since version ${latest ?? '(none)'}`, {
      hint: 'Add a file under your migrations (or seed, rollback) folder, then build again.',
    })
  }
  const files = added.map((a) => a.entry)
  assertReversibility(files, options.irreversible === true, version)
  await options.beforeStore?.(added.map((a) => ({ file: a.source.file, entry: a.entry })))
  const entries: BundleEntry[] = added.map((a) => ({ path: a.entry.path, size: a.entry.size, sha256: a.entry.sha256, source: { file: a.source.file } }))
  const env = options.env ?? process.env
  const created = createdAt(env)
  const manifestOf = (listed: ManifestFile[]): Manifest =>
    validateManifest(
      {
        formatVersion: 1,
        version,
        previousVersion: latest,
        created,
        ...(options.notes ? { notes: options.notes } : {}),
        ...(options.author ? { author: options.author } : {}),
        tools: { squizzle: options.toolVersion, ...(options.drizzleKitVersion ? { 'drizzle-kit': options.drizzleKitVersion } : {}) },
        transactionScope: options.transactionScope ?? 'version',
        ...(options.irreversible ? { irreversible: true } : {}),
        files: listed,
        checksum: computeChecksum(listed),
      },
      `manifest of ${version}`,
    )
  if (options.snapshot) {
    const recorded = await recordSnapshot({ storage: options.storage, manifest: manifestOf([...files]), entries: [...entries], snapshot: options.snapshot, toolVersion: options.toolVersion, limits: options.limits, events })
    files.push(recorded.file)
    entries.push(recorded.entry)
  }
  const manifest = manifestOf(files)
  const bundle = writeBundle(entries, { mtime: sourceDateEpoch(env) })
  const ref = await options.storage.push({ manifest, bundle })
  events({ type: 'build.done', version, digest: ref.digest, files: added.length, bytes: ref.bundleSize })
  return { ref, manifest }
}

/** Every file released in a stored version, with the version that released it. */
async function releasedFiles(storage: ArtifactStorage, versions: string[]): Promise<Map<string, { sha256: string; version: string }>> {
  const out = new Map<string, { sha256: string; version: string }>()
  for (const version of versions) {
    const { manifest } = await storage.pull(version)
    for (const file of manifest.files) out.set(file.path, { sha256: file.sha256, version })
  }
  return out
}

function createdAt(env: Readonly<Record<string, string | undefined>>): string {
  const epoch = env['SOURCE_DATE_EPOCH'] === undefined ? undefined : sourceDateEpoch(env)
  return (epoch === undefined ? new Date() : new Date(epoch * 1000)).toISOString()
}
