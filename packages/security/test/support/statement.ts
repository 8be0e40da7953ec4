import { createTargetStorage, type ArtifactRef, type ArtifactStorage, type Manifest } from '@squizzle/core'
import { makeTestVersion } from '@squizzle/core/testing'
import { MemoryTarget } from './memory-target.js'

/** A stored test version in an in-memory storage. */
export interface StoredVersion {
  storage: ArtifactStorage
  ref: ArtifactRef
  manifest: Manifest
}

/**
 * Pushes a small real version into a fresh in-memory storage.
 *
 * @example
 * ```ts
 * const { storage, ref, manifest } = await storedVersion('1.0.0')
 * ```
 */
export async function storedVersion(
  version = '1.0.0',
  files?: Record<string, string>,
  storage: ArtifactStorage = createTargetStorage(new MemoryTarget()),
): Promise<StoredVersion> {
  const { manifest, bundle } = await makeTestVersion(version, files)
  const ref = await storage.push({ manifest, bundle })
  return { storage, ref, manifest }
}
