import { createHash } from 'node:crypto'
import { bundleFiles, type BundleFile } from '../bundle/bundle-reader.js'
import type { BundleLimits } from '../bundle/limits.js'
import type { DatabaseDriver, HistoryEntry } from '../driver/database-driver.js'
import { SquizzleError } from '../errors/squizzle-error.js'
import { assertChecksum } from '../manifest/checksum.js'
import type { Manifest, ManifestFile } from '../manifest/manifest.js'
import { reversibleKinds, rollbackRunOrder } from '../manifest/rollback-pairing.js'
import type { ArtifactStorage } from '../storage/artifact-storage.js'

/** The verified rollback files of one applied version, in the order they run (reverse order of their migrations). */
export interface RollbackSource {
  manifest: Manifest
  digest: string
  files: BundleFile[]
  /** Where the SQL came from: kept in the database at apply time, or pulled again from storage. */
  from: 'database' | 'storage'
}

/**
 * Loads the rollback files of an applied version and verifies them against the
 * manifest the database recorded when it applied the version (per-file SHA-256,
 * manifest checksum). The SQL kept in the database at apply time is used first,
 * so an unreachable registry does not block an emergency rollback; versions
 * applied before that existed fall back to storage, whose artifact must be the
 * one that was applied. Refuses baselined, irreversible and rollback-less versions;
 * a version of seeds only has nothing to run.
 *
 * @example
 * ```ts
 * const source = await loadRollback(appliedEntry, driver, storage)
 * source.files.map((f) => f.file.path) // ['rollback/004_index.sql', 'rollback/003_orders.sql']
 * ```
 */
export async function loadRollback(
  entry: HistoryEntry,
  driver: DatabaseDriver,
  storage: ArtifactStorage,
  limits?: Partial<BundleLimits>,
): Promise<RollbackSource> {
  const { version } = entry
  const { manifest, digest } = await appliedManifest(entry, driver)
  const wanted = rollbackFilesOf(manifest, version)
  const kept = new Map((await driver.records.keptFiles(digest)).map((s) => [s.path, s]))
  const fromDatabase = wanted.every((f) => kept.has(f.path))
  const files = fromDatabase
    ? wanted.map((f) => checked(f, Buffer.from(kept.get(f.path)!.content, 'utf8'), version))
    : inOrder(await fromStorage(storage, version, digest, limits), wanted)
  return { manifest, digest, files, from: fromDatabase ? 'database' : 'storage' }
}

/** The manifest the database recorded when it applied the version, checksum-verified; refuses baselines. */
async function appliedManifest(
  entry: HistoryEntry,
  driver: DatabaseDriver,
): Promise<{ manifest: Manifest; digest: string }> {
  const { version } = entry
  if (entry.operation === 'baseline') {
    throw unavailable(
      version,
      `version ${version} was baselined, not applied by Squizzle: there is nothing it ran to undo`,
      'A baseline marks an existing schema. Undo changes by hand, or build a new version that reverts them.',
    )
  }
  const digest = entry.manifestDigest
  // Only rollback reads a row's manifest: `history()` leaves it out.
  const manifest = digest === null ? null : await driver.records.historyManifest(entry.id)
  if (manifest === null || digest === null) {
    throw unavailable(
      version,
      `the database has no manifest recorded for version ${version}`,
      'Undo the version by hand, or build a new version that reverts it.',
    )
  }
  assertChecksum(manifest.files, manifest.checksum)
  return { manifest, digest }
}

/** The manifest's rollback files in run order; refuses irreversible versions and versions without rollback SQL. */
function rollbackFilesOf(manifest: Manifest, version: string): ManifestFile[] {
  if (manifest.irreversible) {
    throw new SquizzleError(
      'ROLLBACK_IRREVERSIBLE',
      `version ${version} is marked irreversible: it was built without rollback SQL on purpose`,
      {
        hint:
          'Build a new version that reverts its changes, or restore a backup. Rollback never guesses how to ' +
          'undo a version.',
        details: { version },
      },
    )
  }
  const wanted = rollbackRunOrder(
    manifest.files,
    manifest.files.filter((f) => f.kind === 'rollback'),
  )
  // A version of seeds only changes no schema: its rollback runs nothing (and is still checked).
  if (wanted.length === 0 && manifest.files.some((f) => reversibleKinds.includes(f.kind))) {
    throw unavailable(
      version,
      `version ${version} carries no rollback SQL`,
      'Build a new version that reverts its changes (rollback files belong in the version they undo).',
    )
  }
  return wanted
}

function inOrder(files: BundleFile[], order: readonly ManifestFile[]): BundleFile[] {
  const position = new Map(order.map((f, i) => [f.path, i]))
  return [...files].sort((a, b) => position.get(a.file.path)! - position.get(b.file.path)!)
}

function checked(file: ManifestFile, content: Buffer, version: string): BundleFile {
  const sha256 = createHash('sha256').update(content).digest('hex')
  if (sha256 !== file.sha256 || content.length !== file.size) {
    throw new SquizzleError(
      'DIGEST_MISMATCH',
      `the rollback SQL kept for ${version} (${file.path}) is not the file that was applied`,
      {
        hint:
          'squizzle.rollback_script was changed after the apply. Restore it from the released artifact or undo ' +
          'the version by hand.',
        details: { version, path: file.path, expected: file.sha256, actual: sha256 },
      },
    )
  }
  return { file, content }
}

async function fromStorage(
  storage: ArtifactStorage,
  version: string,
  digest: string,
  limits: Partial<BundleLimits> | undefined,
): Promise<BundleFile[]> {
  const pulled = await storage.pull(version)
  if (pulled.ref.digest !== digest) {
    throw new SquizzleError(
      'TAMPERED',
      `version ${version} was applied as ${digest}, but storage now holds ${pulled.ref.digest}`,
      {
        hint:
          'Restore the original artifact (the applied digest) before rolling back, and investigate who ' +
          're-pointed the tag.',
        details: { tampered: [{ version, applied: digest, stored: pulled.ref.digest }] },
      },
    )
  }
  const files: BundleFile[] = []
  for await (const f of bundleFiles(pulled.open(), pulled.manifest, { limits }))
    if (f.file.kind === 'rollback') files.push(f)
  return files
}

function unavailable(version: string, message: string, hint: string): SquizzleError {
  return new SquizzleError('ROLLBACK_UNAVAILABLE', message, { hint, details: { version } })
}
