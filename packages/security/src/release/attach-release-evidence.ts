import { SquizzleError, type ArtifactRef, type ArtifactStorage } from '@squizzle/core'
import { mediaTypes } from '@squizzle/core/oci'
import { releaseEvidence, type ReleaseEvidenceOptions } from './release-evidence.js'

/** What {@link attachReleaseEvidence} attached. */
export interface AttachedEvidence {
  ref: ArtifactRef
  /** True when an SBOM was attached now (false: one was attached already). */
  sbom: boolean
  provenance: 'signed' | 'unsigned'
}

/**
 * Attaches a stored version's release evidence (see {@link releaseEvidence}): its
 * SBOM unless one is attached already, and its provenance, signed when a signer is
 * given. Throws `STORAGE_UNSUPPORTED` for a storage that cannot hold attachments.
 * Resolve the signer (key, passphrase, token) first, so a missing secret fails early.
 *
 * @example
 * ```ts
 * const release = { storage, version: '1.2.0', signer, env: process.env, projectDir }
 * const { provenance } = await attachReleaseEvidence(release)
 * ```
 */
export async function attachReleaseEvidence(
  options: ReleaseEvidenceOptions & { storage: ArtifactStorage; version: string },
): Promise<AttachedEvidence> {
  const { storage } = options
  if (!storage.attach || !storage.attachments) {
    throw new SquizzleError('STORAGE_UNSUPPORTED', `${storage.name} cannot hold signatures, SBOMs or provenance`, {
      hint: 'Use an OCI image layout directory or an OCI registry as the storage.',
    })
  }
  const artifact = await storage.pull(options.version)
  const attached = await storage.attachments(artifact.ref)
  const sbom = !attached.some((a) => a.artifactType === mediaTypes.cyclonedx)
  for (const attachment of await releaseEvidence(artifact, { ...options, sbom })) {
    await storage.attach(artifact.ref, attachment)
  }
  return { ref: artifact.ref, sbom, provenance: options.signer ? 'signed' : 'unsigned' }
}
