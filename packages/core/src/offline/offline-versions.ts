import type { BundleFile } from '../bundle/bundle-reader.js'
import type { BundleLimits } from '../bundle/limits.js'
import { chainBreak, unchainedError } from '../engine/chain.js'
import { verifyPulled } from '../engine/verify-version.js'
import { planSegments } from '../engine/segments.js'
import { SquizzleError } from '../errors/squizzle-error.js'
import type { ArtifactPolicy } from '../signing/signing.js'
import { analyzeSql, runnableStatements } from '../sql/analyze-sql.js'
import type { ArtifactStorage, VersionInfo } from '../storage/artifact-storage.js'
import type { OfflineFile, OfflineVersion } from './offline-types.js'

/** What to render: the versions above `from` up to `to`, read from `storage` and checked like apply checks them. */
export interface OfflineSelection {
  storage: ArtifactStorage
  /** The version the database is at, or null for one with none. */
  from: string | null
  to: string
  policy?: ArtifactPolicy | undefined
  limits?: Partial<BundleLimits> | undefined
}

/**
 * The versions an offline script runs, oldest first, each pulled and verified in
 * full (digest, every file's SHA-256, checksum, signature policy) before any is
 * rendered, and each built on the one before it (`UNCHAINED_VERSION` otherwise, as
 * apply refuses it). Also the digest `from` is stored as, and every stored version above it.
 *
 * @example
 * ```ts
 * const { from, versions } = await offlineVersions({ storage, from: '1.0.0', to: '1.2.0' })
 * // then, for PostgreSQL: renderOfflineScript({ from, versions, ... }) from @squizzle/driver-postgres
 * ```
 */
export async function offlineVersions(selection: OfflineSelection): Promise<{
  from: { version: string; digest: string } | null
  versions: OfflineVersion[]
  above: string[]
}> {
  const stored = await selection.storage.list()
  const from = selection.from === null ? null : storedVersion(stored, selection.from)
  storedVersion(stored, selection.to)
  const above = stored.filter((v) => from === null || isAbove(stored, v.version, from.version)).map((v) => v.version)
  const chosen = above.filter((v) => !isAbove(stored, v, selection.to))
  const verified: VerifiedVersion[] = []
  for (const version of chosen) {
    const pulled = await selection.storage.pull(version)
    const { contents } = await verifyPulled(selection.storage, pulled, {
      policy: selection.policy,
      limits: selection.limits,
      keepFilesUpTo: Number.POSITIVE_INFINITY,
    })
    verified.push({ manifest: pulled.manifest, digest: pulled.ref.digest, contents: contents ?? [] })
  }
  let predecessor = { version: from?.version ?? null, digest: from?.digest ?? null }
  for (const v of verified) {
    const broken = chainBreak(v.manifest, predecessor)
    if (broken) throw unchainedError(broken)
    predecessor = { version: v.manifest.version, digest: v.digest }
  }
  return { from, versions: await Promise.all(verified.map((v) => offlineVersion(v))), above }
}

/** A stored version and its digest, or `VERSION_NOT_FOUND`. */
function storedVersion(stored: readonly VersionInfo[], version: string): { version: string; digest: string } {
  const found = stored.find((v) => v.version === version)
  if (!found) {
    throw new SquizzleError('VERSION_NOT_FOUND', `version ${version} is not in storage`, {
      hint: 'List the stored versions, or pull the version from a registry first.',
      remedies: [{ operation: 'list' }],
    })
  }
  return { version: found.version, digest: found.digest }
}

/** True when `a` comes after `b` in storage order (the list is sorted by semver). */
function isAbove(stored: readonly VersionInfo[], a: string, b: string): boolean {
  return stored.findIndex((v) => v.version === a) > stored.findIndex((v) => v.version === b)
}

/** A verified version before it is laid out: its manifest, digest and every file. */
interface VerifiedVersion {
  manifest: OfflineVersion['manifest']
  digest: string
  contents: BundleFile[]
}

async function offlineVersion(v: VerifiedVersion): Promise<OfflineVersion> {
  const byPath = new Map(v.contents.map((c) => [c.file.path, c]))
  const segments = []
  for (const segment of planSegments(v.manifest.files, v.manifest.transactionScope)) {
    const files: OfflineFile[] = []
    for (const file of segment.files) files.push(await offlineFile(byPath.get(file.path)!))
    segments.push({ transactional: segment.transactional, files })
  }
  // What apply keeps for a rollback: the rollback files and the version's schema snapshot.
  const kept = v.contents
    .filter((c) => c.file.kind === 'rollback' || c.file.kind === 'schema')
    .map((c) => ({ path: c.file.path, sha256: c.file.sha256, content: c.content.toString('utf8') }))
  return { manifest: v.manifest, digest: v.digest, segments, kept }
}

/** A file as apply runs it: whole in its transaction (its own BEGIN/COMMIT left out), or statement by statement. */
async function offlineFile({ file, content }: BundleFile): Promise<OfflineFile> {
  const text = content.toString('utf8')
  if (!file.transaction) {
    const { statements } = await analyzeSql(text, file.path, { noTransaction: true })
    return { path: file.path, transactional: false, statements: statements.map((s) => s.text) }
  }
  if (!file.ownTransactionControl) return { path: file.path, transactional: true, sql: text }
  const statements = runnableStatements(await analyzeSql(text, file.path))
  return { path: file.path, transactional: true, sql: statements.map((s) => s.text).join(';\n') }
}
