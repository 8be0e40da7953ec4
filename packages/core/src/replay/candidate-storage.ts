import { Readable } from 'node:stream'
import { SquizzleError } from '../errors/squizzle-error.js'
import type { Manifest } from '../manifest/manifest.js'
import { serializeManifest } from '../manifest/validate-manifest.js'
import { sha256Digest } from '../oci/digest.js'
import type { ArtifactRef, ArtifactStorage, PulledArtifact, VersionInfo } from '../storage/artifact-storage.js'

/** A version that is built but not stored yet: its manifest and bundle bytes. */
export interface CandidateVersion {
  manifest: Manifest
  bundle: Uint8Array
}

/**
 * A read-only view of `storage` plus one candidate version, so a version can be
 * replayed with the real engine before it is pushed. Writes are refused.
 *
 * @example
 * ```ts
 * const view = withCandidate(storage, { manifest, bundle })
 * await new Migrator({ storage: view, driver, toolVersion }).apply(manifest.version)
 * ```
 */
export function withCandidate(storage: ArtifactStorage, candidate: CandidateVersion): ArtifactStorage {
  const { manifest, bundle } = candidate
  const version = manifest.version
  const manifestBytes = serializeManifest(manifest)
  const ref: ArtifactRef = {
    version,
    digest: sha256Digest(manifestBytes),
    size: manifestBytes.length,
    bundleDigest: sha256Digest(bundle),
    bundleSize: bundle.length,
    storage: `${storage.name} + candidate ${version}`,
  }
  const readOnly = (): Promise<never> =>
    Promise.reject(new SquizzleError('STORAGE_UNSUPPORTED', 'the replay view of a storage is read-only', { hint: 'Push to the storage itself.' }))
  return {
    name: ref.storage,
    async pull(v: string): Promise<PulledArtifact> {
      if (v !== version) return storage.pull(v)
      return { ref, manifest, open: () => Readable.from([Buffer.from(bundle)]) }
    },
    async exists(v: string): Promise<boolean> {
      return v === version || storage.exists(v)
    },
    async list(): Promise<VersionInfo[]> {
      const stored = (await storage.list()).filter((v) => v.version !== version)
      return [...stored, { version, digest: ref.digest, created: manifest.created }]
    },
    push: readOnly,
    delete: readOnly,
  }
}
