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

/** A version served from memory by {@link withVersions}, under the digest that identifies it. */
export interface OverlayVersion extends CandidateVersion {
  /** The digest `list()` and `pull()` report for it. */
  digest: string
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
  const digest = sha256Digest(serializeManifest(candidate.manifest))
  return withVersions(storage, [{ ...candidate, digest }], `${storage.name} + candidate ${candidate.manifest.version}`)
}

/**
 * A read-only view of `storage` plus versions held in memory (which win over
 * stored ones of the same version), named `name`. Writes are refused. The replay
 * uses it for the candidate and for released versions rebuilt from the repository.
 *
 * @example
 * ```ts
 * const view = withVersions(storage, [{ manifest, bundle, digest: ledgerDigest }], 'repository')
 * ```
 */
export function withVersions(
  storage: ArtifactStorage,
  versions: readonly OverlayVersion[],
  name: string,
): ArtifactStorage {
  const held = new Map(versions.map((v) => [v.manifest.version, pulledFrom(v, name)]))
  const readOnly = (): Promise<never> =>
    Promise.reject(
      new SquizzleError('STORAGE_UNSUPPORTED', 'the replay view of a storage is read-only', {
        hint: 'Push to the storage itself.',
      }),
    )
  return {
    name,
    async pull(v: string): Promise<PulledArtifact> {
      return held.get(v) ?? storage.pull(v)
    },
    async exists(v: string): Promise<boolean> {
      return held.has(v) || storage.exists(v)
    },
    async list(): Promise<VersionInfo[]> {
      const stored = (await storage.list()).filter((v) => !held.has(v.version))
      return [...stored, ...[...held.values()].map(versionInfo)]
    },
    push: readOnly,
    delete: readOnly,
  }
}

function versionInfo({ ref, manifest }: PulledArtifact): VersionInfo {
  return { version: ref.version, digest: ref.digest, created: manifest.created }
}

function pulledFrom(version: OverlayVersion, storage: string): PulledArtifact {
  const { manifest, bundle } = version
  const manifestBytes = serializeManifest(manifest)
  const ref: ArtifactRef = {
    version: manifest.version,
    digest: version.digest,
    size: manifestBytes.length,
    bundleDigest: sha256Digest(bundle),
    bundleSize: bundle.length,
    storage,
  }
  return { ref, manifest, open: () => Readable.from([Buffer.from(bundle)]) }
}
