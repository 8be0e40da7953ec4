import { isSquizzleError, type ArtifactPolicy, type ArtifactStorage, type Attachment } from '@squizzle/core'
import { mediaTypes } from '@squizzle/core/oci'
import type { PulledArtifact, VerifiedIdentity } from '@squizzle/core'

/**
 * A version's signature as the configured trust policy sees it: `verified` (who signed),
 * `unsigned`, `invalid` (a signature the policy refuses), or `unchecked` (signed, but the
 * console has no trust policy to check it against).
 */
export interface SignatureStatus {
  status: 'verified' | 'unsigned' | 'invalid' | 'unchecked'
  signer: VerifiedIdentity | null
  /** The refusal's error code, for `invalid` (e.g. `SIGNATURE_INVALID`, `POLICY_VIOLATION`). */
  code: string | null
  message: string | null
}

const signatureType = mediaTypes.sigstoreBundle

/**
 * Checks a pulled version's signature with the policy (the same check apply runs before any SQL);
 * without a policy, `attachments` tell whether it is signed at all.
 *
 * @example
 * ```ts
 * const s = await signatureStatus(storage, pulled, attachments, policy) // { status: 'verified', signer: … }
 * ```
 */
export async function signatureStatus(
  storage: ArtifactStorage,
  pulled: PulledArtifact,
  attachments: readonly Attachment[] | null,
  policy: ArtifactPolicy | undefined,
): Promise<SignatureStatus> {
  const none = { signer: null, code: null, message: null }
  if (!policy) {
    const signed = (attachments ?? []).some((a) => a.artifactType === signatureType)
    return { status: signed ? 'unchecked' : 'unsigned', ...none }
  }
  try {
    const signer = await policy.check({ ref: pulled.ref, manifest: pulled.manifest, storage })
    return signer ? { status: 'verified', ...none, signer } : { status: 'unsigned', ...none }
  } catch (err) {
    if (!isSquizzleError(err)) throw err
    if (err.code === 'SIGNATURE_MISSING') return { status: 'unsigned', ...none, code: err.code, message: err.message }
    return { status: 'invalid', signer: null, code: err.code, message: err.message }
  }
}
