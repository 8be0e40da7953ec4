import type { Manifest } from '../manifest/manifest.js'
import type { ArtifactRef, ArtifactStorage } from '../storage/artifact-storage.js'

/**
 * A Sigstore bundle (v0.3 JSON), as produced by a signer and stored as an attachment.
 * Kept as plain JSON so core needs no Sigstore library: only signers and verifiers parse it.
 */
export type SignatureBundle = Record<string, unknown>

/** Who signed, as established by a verifier. */
export interface VerifiedIdentity {
  /** `key` for a public key, `keyless` for a Fulcio certificate. */
  method: 'key' | 'keyless'
  /** Key id / hint, or certificate subject (SAN). */
  subject: string
  /** OIDC issuer, for keyless signatures. */
  issuer?: string
}

/** A keyless identity a policy trusts: the OIDC issuer, exactly, and a subject (SAN) pattern. */
export interface TrustedIdentity {
  issuer: string
  /** A regular expression that must match the whole certificate subject (it is anchored). */
  subjectPattern: string
}

/** What a verifier accepts, per environment. */
export interface TrustPolicy {
  signatures: 'required' | 'optional'
  /** PEM public keys trusted for key-based signatures, by key id. */
  publicKeys?: Record<string, string>
  /** Trusted keyless identities: OIDC issuer plus an anchored subject pattern. */
  identities?: TrustedIdentity[]
  /**
   * Path to a `trusted_root.json` for offline or private Sigstore instances.
   * Without it, keyless signatures are checked against the public-good root (TUF).
   */
  trustedRoot?: string
}

/** Signs a payload of a given type, producing a Sigstore bundle (a DSSE envelope over the payload). */
export interface Signer {
  sign(payload: Uint8Array, type: string): Promise<SignatureBundle>
}

/** What a verifier established: who signed, and the payload they signed. */
export interface VerifiedSignature {
  identity: VerifiedIdentity
  /** The DSSE payload type, e.g. `application/vnd.in-toto+json`. */
  payloadType: string
  /** The signed payload, taken from the envelope after its signature checked out. */
  payload: Uint8Array
}

/**
 * Checks a Sigstore bundle against a policy; throws `SIGNATURE_INVALID` or `POLICY_VIOLATION`.
 * A DSSE envelope carries its own payload, so the verifier returns it (verified) rather
 * than taking one: the caller then checks that the payload names the artifact in hand.
 */
export interface Verifier {
  verify(bundle: SignatureBundle, policy: TrustPolicy): Promise<VerifiedSignature>
}

/**
 * Decides whether a stored version may be used, before any of its SQL runs.
 * Implementations throw `SIGNATURE_MISSING`, `SIGNATURE_INVALID` or `POLICY_VIOLATION`.
 */
export interface ArtifactPolicy {
  check(input: { ref: ArtifactRef; manifest: Manifest; storage: ArtifactStorage }): Promise<VerifiedIdentity | null>
}
