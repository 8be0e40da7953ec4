import { createPublicKey } from 'node:crypto'
import { bundleFromJSON, isBundleWithDsseEnvelope, type BundleWithDsseEnvelope } from '@sigstore/bundle'
import type { TrustedRoot } from '@sigstore/protobuf-specs'
import {
  toSignedEntity,
  toTrustMaterial,
  Verifier as SigstoreLibVerifier,
  type Signer as VerifiedSigner,
} from '@sigstore/verify'
import {
  SquizzleError,
  type SignatureBundle,
  type TrustPolicy,
  type VerifiedSignature,
  type Verifier,
} from '@squizzle/core'
import { matchIdentity } from './identity-match.js'
import { emptyTrustedRoot, publicGoodTrustedRoot, readTrustedRoot } from './trusted-root.js'

export interface SigstoreVerifierOptions {
  /** Where the public-good root comes from when the policy pins none (default: TUF). */
  publicGoodRoot?: () => Promise<TrustedRoot>
}

/**
 * Verifies Sigstore bundles with @sigstore/verify: key-based ones against the
 * policy's public keys (offline), keyless ones against a trusted root (Fulcio
 * chain, SCT, Rekor entry) and then the policy's identities.
 *
 * @example
 * ```ts
 * const { identity, payload } = await new SigstoreVerifier().verify(bundleJson, { signatures: 'required', publicKeys: { [keyId]: pem } })
 * ```
 */
export class SigstoreVerifier implements Verifier {
  constructor(private readonly options: SigstoreVerifierOptions = {}) {}

  async verify(json: SignatureBundle, policy: TrustPolicy): Promise<VerifiedSignature> {
    const bundle = parseDsseBundle(json)
    const material = bundle.verificationMaterial.content
    const identity =
      material.$case === 'publicKey'
        ? this.verifyWithKey(bundle, material.publicKey.hint, policy)
        : await this.verifyKeyless(bundle, policy)
    const envelope = bundle.content.dsseEnvelope
    return { identity, payloadType: envelope.payloadType, payload: new Uint8Array(envelope.payload) }
  }

  private verifyWithKey(
    bundle: BundleWithDsseEnvelope,
    hint: string,
    policy: TrustPolicy,
  ): VerifiedSignature['identity'] {
    const keys = policy.publicKeys ?? {}
    const pem = Object.hasOwn(keys, hint) ? keys[hint] : undefined
    if (pem === undefined) {
      throw new SquizzleError(
        'POLICY_VIOLATION',
        `signed with key ${hint}, which is not in the trust policy's publicKeys`,
        {
          hint: "Sign with a trusted key, or add this key's .pub file to trust.publicKeys for this environment if you trust it.",
          details: { keyId: hint, trusted: Object.keys(keys) },
        },
      )
    }
    const publicKey = createPublicKey(pem)
    // A trusted key never expires here: revoking it means removing it from the policy.
    const trust = toTrustMaterial(emptyTrustedRoot(), (h) => {
      if (h !== hint) throw new Error(`unknown key ${h}`)
      return { publicKey, validFor: () => true }
    })
    check(() =>
      new SigstoreLibVerifier(trust, { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 0 }).verify(
        toSignedEntity(bundle),
      ),
    )
    return { method: 'key', subject: hint }
  }

  private async verifyKeyless(
    bundle: BundleWithDsseEnvelope,
    policy: TrustPolicy,
  ): Promise<VerifiedSignature['identity']> {
    const identities = policy.identities ?? []
    if (identities.length === 0) {
      throw new SquizzleError(
        'POLICY_VIOLATION',
        'the version has a keyless signature, but the trust policy lists no keyless identities',
        {
          hint: "Add the signer's OIDC issuer and subject to trust.identities, or sign with a trusted key.",
        },
      )
    }
    const root = policy.trustedRoot
      ? await readTrustedRoot(policy.trustedRoot)
      : await (this.options.publicGoodRoot ?? publicGoodTrustedRoot)()
    const signer = check(() =>
      new SigstoreLibVerifier(toTrustMaterial(root), {
        tlogThreshold: 1,
        ctlogThreshold: 1,
        timestampThreshold: 1,
      }).verify(toSignedEntity(bundle)),
    )
    return matchIdentity(signer.identity?.subjectAlternativeName, signer.identity?.extensions?.issuer, identities)
  }
}

function parseDsseBundle(json: SignatureBundle): BundleWithDsseEnvelope {
  let bundle
  try {
    bundle = bundleFromJSON(json)
  } catch (cause) {
    throw new SquizzleError(
      'SIGNATURE_INVALID',
      `the attached signature is not a valid Sigstore bundle: ${(cause as Error).message}`,
      {
        hint: 'Sign the version again.',
        remedies: [{ operation: 'sign' }],
        cause,
      },
    )
  }
  if (!isBundleWithDsseEnvelope(bundle)) {
    throw new SquizzleError(
      'SIGNATURE_INVALID',
      'the attached Sigstore bundle signs a raw message, not a DSSE in-toto statement',
      {
        hint: 'Squizzle signs an in-toto statement naming the bundle and manifest; sign the version again.',
        remedies: [{ operation: 'sign' }],
      },
    )
  }
  return bundle
}

/** Runs the library's check; its failures become SIGNATURE_INVALID with the library's own code. */
function check(fn: () => VerifiedSigner): VerifiedSigner {
  try {
    return fn()
  } catch (cause) {
    const code = (cause as { code?: unknown }).code
    throw new SquizzleError(
      'SIGNATURE_INVALID',
      `the signature does not verify${typeof code === 'string' ? ` (${code})` : ''}: ${(cause as Error).message}`,
      {
        hint: 'The signed content or the signature was altered, or it was made with another key than it claims. Do not apply it; rebuild and sign again from a trusted source.',
        details: typeof code === 'string' ? { sigstoreCode: code } : {},
        cause,
      },
    )
  }
}
