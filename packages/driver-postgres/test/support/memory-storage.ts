import { Readable } from 'node:stream'
import { type ArtifactRef, type ArtifactStorage, type Manifest } from '@squizzle/core'
import { sha256Digest } from '@squizzle/core/oci'
import { makeTestVersion } from '@squizzle/core/testing'

/**
 * A storage holding versions in memory, for engine tests that need no registry;
 * `reachable = false` makes `pull` and `list` fail like a registry outage.
 */
export class MemoryStorage implements ArtifactStorage {
  readonly name = 'memory'
  reachable = true
  private readonly versions = new Map<string, { manifest: Manifest; bundle: Uint8Array; ref: ArtifactRef }>()

  /** Builds `version` from `files` (bundle paths to SQL) and stores it. */
  async add(version: string, files: Record<string, string>): Promise<void> {
    await this.push(await makeTestVersion(version, files))
  }

  async push(input: { manifest: Manifest; bundle: Readable | Uint8Array }): Promise<ArtifactRef> {
    const bundle = input.bundle as Uint8Array
    const ref = {
      version: input.manifest.version,
      digest: sha256Digest(Buffer.from(JSON.stringify(input.manifest))),
      size: 0,
      bundleDigest: sha256Digest(bundle),
      bundleSize: bundle.length,
      storage: this.name,
    }
    this.versions.set(input.manifest.version, { ...input, bundle, ref })
    return ref
  }
  async pull(version: string) {
    const v = this.get(version)
    return { ref: v.ref, manifest: v.manifest, open: () => Readable.from([Buffer.from(v.bundle)]) }
  }
  async exists(version: string) {
    return this.versions.has(version)
  }
  async list() {
    this.get(null)
    return [...this.versions.values()].map((v) => ({
      version: v.manifest.version,
      digest: v.ref.digest,
      created: v.manifest.created,
    }))
  }
  async delete(version: string) {
    this.versions.delete(version)
  }
  private get(version: string | null) {
    if (!this.reachable) throw new Error('registry unreachable')
    const v = version === null ? undefined : this.versions.get(version)
    if (version !== null && !v) throw new Error(`no ${version}`)
    return v!
  }
}
