import { bundleFiles, type BundleFile } from '../bundle/bundle-reader.js'
import type { BundleLimits } from '../bundle/limits.js'
import { ignoreEvents, type EventSink } from '../events/events.js'
import type { ArtifactPolicy, VerifiedIdentity } from '../signing/signing.js'
import type { ArtifactStorage, PulledArtifact } from '../storage/artifact-storage.js'
import { assertPinned, parsePinnedVersion } from '../version/pinned-version.js'

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
  /**
   * Keep the verified files in memory when the bundle's files total at most this
   * many bytes, so they can be run without reading the bundle again. Default 0.
   */
  keepFilesUpTo?: number | undefined
}

/** A verify report with, when they fitted, the verified files themselves. */
export interface VerifiedArtifact extends VerifyReport {
  /** The verified files in bundle order, when the bundle fitted `keepFilesUpTo`. */
  contents: BundleFile[] | null
}

/**
 * Everything apply checks, without a database: manifest schema and checksum
 * (on pull), bundle digest, every file's SHA-256 and the bundle's structure,
 * then the signature policy when one is given. A pinned reference
 * (`1.2.0@sha256:…`) also requires the tag to resolve to that digest.
 *
 * @example
 * ```ts
 * const report = await verifyVersion(storage, '1.2.0')
 * await verifyVersion(storage, `1.2.0@${report.digest}`) // PINNED_DIGEST_MISMATCH once the tag moves
 * ```
 */
export async function verifyVersion(
  storage: ArtifactStorage,
  reference: string,
  options: VerifyOptions = {},
): Promise<VerifyReport> {
  const pin = parsePinnedVersion(reference)
  const pulled = await storage.pull(pin.version)
  assertPinned(pin, pulled.ref.digest, storage.name)
  const { contents: _contents, ...report } = await verifyPulled(storage, pulled, options)
  return report
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
export async function verifyPulled(
  storage: ArtifactStorage,
  pulled: PulledArtifact,
  options: VerifyOptions = {},
): Promise<VerifiedArtifact> {
  const { manifest, ref } = pulled
  ;(options.events ?? ignoreEvents)({ type: 'version.verify', version: manifest.version, digest: ref.digest })
  const bytes = manifest.files.reduce((n, f) => n + f.size, 0)
  const keep = bytes <= (options.keepFilesUpTo ?? 0)
  const contents: BundleFile[] = []
  for await (const file of bundleFiles(pulled.open(), manifest, { limits: options.limits, keepContent: keep })) {
    if (keep) contents.push(file)
  }
  const identity = options.policy ? await options.policy.check({ ref, manifest, storage }) : null
  return {
    contents: keep ? contents : null,
    version: manifest.version,
    digest: ref.digest,
    files: manifest.files.length,
    bytes: manifest.files.reduce((n, f) => n + f.size, 0),
    checksum: manifest.checksum.value,
    identity,
  }
}
