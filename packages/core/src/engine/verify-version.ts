import { readBundle } from '../bundle/bundle-reader.js'
import type { BundleLimits } from '../bundle/limits.js'
import { ignoreEvents, type EventSink } from '../events/events.js'
import type { ArtifactPolicy, VerifiedIdentity } from '../signing/signing.js'
import type { ArtifactStorage, PulledArtifact } from '../storage/artifact-storage.js'

/** The outcome of verifying a stored version. */
export interface VerifyReport {
  version: string
  digest: string
  files: number
  bytes: number
  checksum: string
  /** The signer, when a policy checked a signature. */
  identity: VerifiedIdentity | null
}

export interface VerifyOptions {
  policy?: ArtifactPolicy | undefined
  limits?: Partial<BundleLimits> | undefined
  events?: EventSink | undefined
}

/**
 * Everything apply checks, without a database: manifest schema and checksum
 * (on pull), bundle digest, every file's SHA-256 and the bundle's structure,
 * then the signature policy when one is given.
 *
 * @example
 * ```ts
 * const report = await verifyVersion(storage, '1.2.0')
 * ```
 */
export async function verifyVersion(storage: ArtifactStorage, version: string, options: VerifyOptions = {}): Promise<VerifyReport> {
  return verifyPulled(storage, await storage.pull(version), options)
}

/**
 * Verifies an already pulled version (see {@link verifyVersion}).
 *
 * @example
 * ```ts
 * const pulled = await storage.pull('1.2.0')
 * await verifyPulled(storage, pulled)
 * ```
 */
export async function verifyPulled(storage: ArtifactStorage, pulled: PulledArtifact, options: VerifyOptions = {}): Promise<VerifyReport> {
  const { manifest, ref } = pulled
  ;(options.events ?? ignoreEvents)({ type: 'version.verify', version: manifest.version, digest: ref.digest })
  await readBundle(pulled.open(), manifest, { limits: options.limits })
  const identity = options.policy ? await options.policy.check({ ref, manifest, storage }) : null
  return {
    version: manifest.version,
    digest: ref.digest,
    files: manifest.files.length,
    bytes: manifest.files.reduce((n, f) => n + f.size, 0),
    checksum: manifest.checksum.value,
    identity,
  }
}
