import { serializeManifest, SquizzleError, type ArtifactRef, type Manifest } from '@squizzle/core'
import { describeBytes, mediaTypes } from '@squizzle/core/oci'
import type { Statement, Subject } from './statement.js'

/**
 * The two things a signature vouches for: the bundle layer (every SQL byte) and
 * the Squizzle manifest (file list, flags, checksum). Named like their OCI blobs.
 *
 * @example
 * ```ts
 * artifactSubjects(ref, manifest) // [{ name: 'squizzle-1.0.0.tar.gz', … }, { name: 'squizzle-1.0.0.manifest.json', … }]
 * ```
 */
export function artifactSubjects(ref: ArtifactRef, manifest: Manifest): Subject[] {
  const manifestDigest = describeBytes(mediaTypes.squizzleManifest, serializeManifest(manifest)).digest
  return [
    { name: `squizzle-${manifest.version}.tar.gz`, digest: { sha256: hexOf(ref.bundleDigest) } },
    { name: `squizzle-${manifest.version}.manifest.json`, digest: { sha256: hexOf(manifestDigest) } },
  ]
}

/**
 * Throws `SIGNATURE_INVALID` unless the statement names both the bundle and the
 * manifest in hand: a valid signature over some other version proves nothing here.
 *
 * @example
 * ```ts
 * assertNamesArtifact(parseStatement(payload), ref, manifest)
 * ```
 */
export function assertNamesArtifact(statement: Statement, ref: ArtifactRef, manifest: Manifest): void {
  const signed = new Set(statement.subject.map((s) => s.digest.sha256.toLowerCase()))
  const missing = artifactSubjects(ref, manifest).filter((s) => !signed.has(s.digest.sha256))
  if (missing.length > 0) {
    throw new SquizzleError(
      'SIGNATURE_INVALID',
      `the signature attached to ${manifest.version} was made for other content: it does not cover ${missing.map((m) => `${m.name} (sha256:${m.digest.sha256})`).join(' or ')}`,
      {
        hint: 'The bundle or manifest changed after signing, or a signature was copied from another version. Rebuild and sign it again, or restore the signed artifact.',
        details: { version: manifest.version, missing },
      },
    )
  }
}

function hexOf(digest: string): string {
  return digest.replace(/^sha256:/, '')
}
