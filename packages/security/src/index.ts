// Signing
export { KeySigner } from './signing/key-signer.js'
export { KeylessSigner, type KeylessSignerOptions } from './signing/keyless-signer.js'
export { identityTokenProvider, identityTokenEnvVar } from './signing/identity-token.js'
export { signVersion, statementAttachment } from './signing/sign-version.js'
export {
  generateSigningKey,
  decryptSigningKey,
  parsePublicKey,
  keyIdOf,
  passphraseEnvVar,
  type GeneratedKeyPair,
} from './keys/signing-key.js'

// Verification and policy
export { SigstoreVerifier, type SigstoreVerifierOptions } from './verify/sigstore-verifier.js'
export { matchIdentity, anchored } from './verify/identity-match.js'
export { readTrustedRoot, publicGoodTrustedRoot, emptyTrustedRoot } from './verify/trusted-root.js'
export { SignaturePolicy } from './policy/signature-policy.js'
export { signaturePolicyFromSettings } from './policy/policy-from-settings.js'

// Attestations
export {
  statement,
  parseStatement,
  inTotoPayloadType,
  inTotoStatementType,
  type Statement,
  type Subject,
} from './in-toto/statement.js'
export { artifactSubjects, assertNamesArtifact } from './in-toto/artifact-subjects.js'
export {
  provenanceStatement,
  slsaProvenanceType,
  squizzleBuildType,
  type SlsaProvenance,
} from './provenance/slsa-provenance.js'
export { buildEnvironment, localBuilderId, type BuildEnvironment } from './provenance/ci-environment.js'

// SBOM
export { cyclonedxSbom, type FileSha512, type SbomInput } from './sbom/cyclonedx-sbom.js'
export { readLockfilePackages, type LockfilePackage } from './sbom/lockfile-packages.js'
export { findLockfile } from './sbom/find-lockfile.js'
export { sbomAttachment } from './sbom/sbom-attachment.js'

// Release evidence (SBOM, provenance, signature), as build and sign attach it
export {
  releaseEvidence,
  versionSbom,
  type ReleaseEvidenceOptions,
  type SbomOptions,
} from './release/release-evidence.js'
export { attachReleaseEvidence, type AttachedEvidence } from './release/attach-release-evidence.js'
