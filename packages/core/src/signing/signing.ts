import type { Manifest } from '../manifest/manifest.js'
import type { ArtifactRef, ArtifactStorage } from '../storage/artifact-storage.js'

/** A Sigstore bundle (v0.3 JSON), as produced by a signer and stored as an attachment. */
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

/** What a verifier accepts, per environment. */
export interface TrustPolicy {
  signatures: 'required' | 'optional'
  /** PEM public keys trusted for key-based signatures, by key id. */
  publicKeys?: Record<string, string>
  /** Trusted keyless identities: OIDC issuer plus an anchored subject pattern. */
  identities?: { issuer: string; subjectPattern: string }[]
  /** Path to a `trusted_root.json` for offline or private Sigstore instances. */
  trustedRoot?: string
}

/** Signs a payload of a given type, producing a Sigstore bundle. */
export interface Signer {
  sign(payload: Uint8Array, type: string): Promise<SignatureBundle>
}

/** Checks a Sigstore bundle over a payload against a policy; throws `SIGNATURE_INVALID` or `POLICY_VIOLATION`. */
export interface Verifier {
  verify(bundle: SignatureBundle, payload: Uint8Array, policy: TrustPolicy): Promise<VerifiedIdentity>
}

/**
 * Decides whether a stored version may be used, before any of its SQL runs.
 * Implementations throw `SIGNATURE_MISSING`, `SIGNATURE_INVALID` or `POLICY_VIOLATION`.
 */
export interface ArtifactPolicy {
  check(input: { ref: ArtifactRef; manifest: Manifest; storage: ArtifactStorage }): Promise<VerifiedIdentity | null>
}
