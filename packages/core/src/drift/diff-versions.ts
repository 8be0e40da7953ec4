import type { BundleLimits } from '../bundle/limits.js'
import { SquizzleError } from '../errors/squizzle-error.js'
import type { FileKind } from '../manifest/manifest.js'
import { diffSnapshots, type SchemaDifference } from '../snapshot/diff-snapshots.js'
import type { ArtifactStorage } from '../storage/artifact-storage.js'
import { compareVersions, parseVersion } from '../version/version.js'
import { versionSnapshot } from './version-snapshot.js'

/** What two stored versions differ by. */
export interface VersionDiff {
  from: string
  to: string
  /** Each version above `from` up to `to`, with the files it added in bundle order (the snapshot file excluded). */
  versions: {
    version: string
    digest: string
    files: { path: string; kind: FileKind; size: number; sha256: string }[]
  }[]
  /**
   * The schema difference between the two versions' snapshots (from `from` to `to`),
   * or null when either was built without a snapshot (`missingSnapshots` says which).
   */
  schema: SchemaDifference[] | null
  missingSnapshots: string[]
}

/**
 * Lists the files each version between `from` (exclusive) and `to` (inclusive)
 * added, and the schema difference between their recorded snapshots. Storage
 * only: no database. Both bundles are verified as they are read.
 *
 * @example
 * ```ts
 * const diff = await diffVersions({ storage, from: '1.0.0', to: '1.2.0' })
 * diff.versions.map((v) => v.files.length)
 * ```
 */
export async function diffVersions(options: {
  storage: ArtifactStorage
  from: string
  to: string
  limits?: Partial<BundleLimits> | undefined
}): Promise<VersionDiff> {
  const from = parseVersion(options.from)
  const to = parseVersion(options.to)
  if (compareVersions(from, to) >= 0) {
    // Swapping helps only when they differ: for one version, the remedy must not be the same diff.
    const sameVersion = from === to
    throw new SquizzleError('USAGE', `diff needs an older version first: ${from} is not below ${to}`, {
      hint: sameVersion ? `Name two different versions, the older first.` : 'Give the older version first.',
      remedies: [sameVersion ? { operation: 'list' } : { operation: 'diff', args: [to, from] }],
    })
  }
  const stored = (await options.storage.list()).map((v) => v.version)
  for (const v of [from, to]) {
    if (!stored.includes(v)) {
      throw new SquizzleError('VERSION_NOT_FOUND', `version ${v} is not in ${options.storage.name}`, {
        hint: 'List the stored versions.',
        remedies: [{ operation: 'list' }],
      })
    }
  }
  const between = stored
    .filter((v) => compareVersions(v, from) > 0 && compareVersions(v, to) <= 0)
    .sort(compareVersions)
  const versions: VersionDiff['versions'] = []
  for (const version of between) {
    const { manifest, ref } = await options.storage.pull(version)
    const files = manifest.files
      .filter((f) => f.kind !== 'schema')
      .map((f) => ({ path: f.path, kind: f.kind, size: f.size, sha256: f.sha256 }))
    versions.push({ version, digest: ref.digest, files })
  }
  const before = await versionSnapshot(await options.storage.pull(from), options.limits)
  const after = await versionSnapshot(await options.storage.pull(to), options.limits)
  const missingSnapshots = [before ? null : from, after ? null : to].filter((v): v is string => v !== null)
  return { from, to, versions, schema: before && after ? diffSnapshots(before, after) : null, missingSnapshots }
}
