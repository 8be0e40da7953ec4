import {
  isSquizzleError,
  SquizzleError,
  type ArtifactPolicy,
  type ArtifactRef,
  type ArtifactStorage,
  type Attachment,
  type Manifest,
  type TrustPolicy,
  type VerifiedIdentity,
  type Verifier,
} from '@squizzle/core'
import { mediaTypes } from '@squizzle/core/oci'
import { assertNamesArtifact } from '../in-toto/artifact-subjects.js'
import { inTotoPayloadType, parseStatement } from '../in-toto/statement.js'
import { SigstoreVerifier } from '../verify/sigstore-verifier.js'

/**
 * The trust policy applied to stored versions before any of their SQL runs:
 * finds the Sigstore bundles attached to the version, verifies them, and checks
 * that the signed in-toto statement names this very bundle and manifest.
 *
 * - `required`: no signature is `SIGNATURE_MISSING`.
 * - `optional`: no signature passes; a signature that is present must still verify
 *   (a bad signature is a sign of tampering, not a missing feature). With no trusted
 *   keys or identities configured at all, there is nothing to check against and
 *   signatures are not examined.
 *
 * @example
 * ```ts
 * const migrator = new Migrator({ storage, driver, toolVersion, policy: new SignaturePolicy({ signatures: 'required', publicKeys }) })
 * ```
 */
export class SignaturePolicy implements ArtifactPolicy {
  /** Throws `CONFIG_INVALID` for a policy that requires signatures but trusts no key or identity: nothing could verify. */
  constructor(
    readonly trust: TrustPolicy,
    private readonly verifier: Verifier = new SigstoreVerifier(),
  ) {
    if (trust.signatures === 'required' && !hasAnchors(trust)) {
      const message =
        'the trust policy requires signatures, but trusts no public key or identity: nothing could ever verify'
      throw new SquizzleError('CONFIG_INVALID', message, {
        hint:
          'Trust a public key (trust.publicKeys: the .pub of the signing key) or a keyless identity ' +
          '(trust.identities: OIDC issuer and subject).',
      })
    }
  }

  async check(input: {
    ref: ArtifactRef
    manifest: Manifest
    storage: ArtifactStorage
  }): Promise<VerifiedIdentity | null> {
    const { ref, manifest, storage } = input
    const signatures = (await signaturesOf(storage, ref)).filter((a) => a.artifactType === mediaTypes.sigstoreBundle)
    if (signatures.length === 0) {
      if (this.trust.signatures === 'optional') return null
      throw new SquizzleError(
        'SIGNATURE_MISSING',
        `version ${manifest.version} is not signed, and this environment's trust policy requires signatures`,
        {
          hint: 'Sign it (or build it signed), or set trust.signatures: optional for this environment.',
          remedies: [{ operation: 'sign', args: [manifest.version] }],
          details: { version: manifest.version, digest: ref.digest, rule: 'trust.signatures: required' },
        },
      )
    }
    if (this.trust.signatures === 'optional' && !hasAnchors(this.trust)) return null
    const failures: SquizzleError[] = []
    for (const attachment of signatures) {
      try {
        return await this.verifyOne(attachment, ref, manifest)
      } catch (err) {
        if (!isSquizzleError(err)) throw err
        failures.push(err)
      }
    }
    // A policy violation says more than a broken signature only when nothing was broken.
    throw failures.find((f) => f.code === 'SIGNATURE_INVALID') ?? failures[0]!
  }

  private async verifyOne(attachment: Attachment, ref: ArtifactRef, manifest: Manifest): Promise<VerifiedIdentity> {
    let json: Record<string, unknown>
    try {
      json = JSON.parse(Buffer.from(attachment.data).toString('utf8')) as Record<string, unknown>
    } catch (cause) {
      throw new SquizzleError('SIGNATURE_INVALID', `the signature attached to ${manifest.version} is not JSON`, {
        hint: 'Sign it again.',
        remedies: [{ operation: 'sign', args: [manifest.version] }],
        cause,
      })
    }
    const verified = await this.verifier.verify(json, this.trust)
    if (verified.payloadType !== inTotoPayloadType) {
      throw new SquizzleError(
        'SIGNATURE_INVALID',
        `the signature attached to ${manifest.version} signs a ${verified.payloadType} payload, not an in-toto statement`,
        {
          hint: 'Sign it again.',
          remedies: [{ operation: 'sign', args: [manifest.version] }],
        },
      )
    }
    assertNamesArtifact(parseStatement(verified.payload), ref, manifest)
    return verified.identity
  }
}

async function signaturesOf(storage: ArtifactStorage, ref: ArtifactRef): Promise<Attachment[]> {
  if (!storage.attachments) return []
  return storage.attachments(ref)
}

function hasAnchors(trust: TrustPolicy): boolean {
  return Object.keys(trust.publicKeys ?? {}).length > 0 || (trust.identities ?? []).length > 0
}
