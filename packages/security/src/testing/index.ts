// Test helpers for signers and verifiers: a real Fulcio/Rekor/TSA from @sigstore/mock on loopback.
export { startSigstoreMock, identityToken, mockIssuer, mockSubject, type SigstoreMock } from './sigstore-mock.js'
