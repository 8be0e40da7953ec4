import type { BundleLimits } from '../bundle/limits.js'
import { verifyPulled } from '../engine/verify-version.js'
import { SquizzleError } from '../errors/squizzle-error.js'
import type { EventSink } from '../events/events.js'
import type { ArtifactPolicy, VerifiedIdentity } from '../signing/signing.js'
import type { ArtifactStorage } from '../storage/artifact-storage.js'
import type { ContentTarget } from './content-target.js'
import { copyVersion } from './copy-version.js'
import { immutableVersion, resolveOrNull } from './fetch-verified.js'
import { createTargetStorage } from './target-storage.js'

export interface ImportOptions {
  /** Signature and trust checks every version must pass before anything is copied. */
  policy?: ArtifactPolicy | undefined
  limits?: Partial<BundleLimits> | undefined
  events?: EventSink | undefined
}

/** A version `importVersions` verified and copied. */
export interface ImportedVersion {
  version: string
  digest: string
  /** The signer, when a policy checked a signature. */
  identity: VerifiedIdentity | null
  /** Signatures, SBOMs and provenance copied with it. */
  attachments: number
  /** True when the destination already held this exact artifact. */
  existed: boolean
}

/**
 * Copies every version `from` holds (an opened archive, another layout) to `to`,
 * all or nothing as far as checking goes: first every version is verified as apply
 * would (manifest schema, tag against version, checksum, every file's SHA-256, the
 * bundle digest, each attachment's digests, the signature policy), and the
 * destination is checked to hold none of them with other content
 * (`IMMUTABLE_VERSION`); only then is anything copied, each version pinned to the
 * digest that was verified.
 *
 * @example
 * ```ts
 * const imported = await importVersions(archive.target, layout, { policy })
 * ```
 */
export async function importVersions(
  from: ContentTarget,
  to: ContentTarget,
  options: ImportOptions = {},
): Promise<ImportedVersion[]> {
  const source = createTargetStorage(from)
  const listed = await source.list()
  if (listed.length === 0) {
    throw new SquizzleError('VERSION_NOT_FOUND', `${from.name} holds no versions`, {
      hint: 'Export the versions from the storage that holds them into an archive, and import that archive.',
      remedies: [{ operation: 'export', args: ['<version>...'], options: { output: '<file>' } }],
    })
  }
  const verified: ImportedVersion[] = []
  for (const { version } of listed) verified.push(await verifyForImport(source, version, options))
  for (const v of verified) {
    const existing = await resolveOrNull(to, v.version)
    if (existing && existing.digest !== v.digest) throw immutableVersion(to, v.version, existing.digest, v.digest)
    v.existed = existing !== null
  }
  for (const v of verified) await copyVersion(from, to, `${v.version}@${v.digest}`)
  return verified
}

async function verifyForImport(
  source: ArtifactStorage,
  version: string,
  options: ImportOptions,
): Promise<ImportedVersion> {
  const pulled = await source.pull(version)
  const report = await verifyPulled(source, pulled, {
    policy: options.policy,
    limits: options.limits,
    events: options.events,
  })
  // Reading the attachments fetches each one's manifest and content against its digest.
  const attachments = (await source.attachments?.(pulled.ref)) ?? []
  return {
    version,
    digest: pulled.ref.digest,
    identity: report.identity,
    attachments: attachments.length,
    existed: false,
  }
}
