import { SquizzleError } from '../errors/squizzle-error.js'
import type { ArtifactStorage } from '../storage/artifact-storage.js'
import { sortVersions } from '../version/version.js'

/**
 * The version a rollout takes every target to: the one asked for, else the newest the
 * storage holds, decided once so a version pushed mid-rollout never splits the fleet.
 * Throws `VERSION_NOT_FOUND` for an empty storage.
 *
 * @example
 * ```ts
 * await rolloutVersion(storage, undefined) // '1.4.0', the newest stored
 * ```
 */
export async function rolloutVersion(storage: ArtifactStorage, version: string | undefined): Promise<string> {
  if (version !== undefined) return version
  const newest = sortVersions((await storage.list()).map((v) => v.version)).at(-1)
  if (newest === undefined) {
    throw new SquizzleError('VERSION_NOT_FOUND', `${storage.name} holds no version to roll out`, {
      hint: 'Build and store a version first, or point the storage at the one holding your versions.',
    })
  }
  return newest
}
