import { createPublicKey, verify as cryptoVerify } from 'node:crypto'
import { bundleFromJSON, isBundleWithDsseEnvelope } from '@sigstore/bundle'
import { toSignedEntity, toTrustMaterial, Verifier } from '@sigstore/verify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  buildEnvironment,
  decryptSigningKey,
  generateSigningKey,
  identityTokenProvider,
  KeylessSigner,
  KeySigner,
  signVersion,
} from '../src/index.js'
import { identityToken, mockIssuer, mockSubject, startSigstoreMock, type SigstoreMock } from '../src/testing/index.js'
import { storedVersion } from './support/statement.js'

// These checks use the Sigstore libraries (and node:crypto) directly, never Squizzle's
// verifier or policy: a bundle Squizzle writes must stand on its own for any Sigstore client.

let sigstore: SigstoreMock
beforeAll(async () => {
  sigstore = await startSigstoreMock()
})
afterAll(() => sigstore.close())

/** DSSE pre-authentication encoding, from the DSSE spec. */
function pae(type: string, payload: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`DSSEv1 ${Buffer.byteLength(type)} ${type} ${payload.length} `), payload])
}

describe('bundles verify outside Squizzle', () => {
  it('a key-signed version verifies with @sigstore/verify and with plain node:crypto over the DSSE PAE', async () => {
    const pair = generateSigningKey('independent check')
    const { ref, manifest } = await storedVersion()
    const attachment = await signVersion(
      new KeySigner(decryptSigningKey(pair.privateKeyPem, 'independent check')),
      ref,
      manifest,
      buildEnvironment({}),
    )
    const json = JSON.parse(Buffer.from(attachment.data).toString()) as Record<string, unknown>
    const bundle = bundleFromJSON(json)
    expect(isBundleWithDsseEnvelope(bundle)).toBe(true)
    const root = {
      mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
      tlogs: [],
      certificateAuthorities: [],
      ctlogs: [],
      timestampAuthorities: [],
    }
    const key = createPublicKey(pair.publicKeyPem)
    const verifier = new Verifier(
      toTrustMaterial(root as never, () => ({ publicKey: key, validFor: () => true })),
      { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 0 },
    )
    expect(verifier.verify(toSignedEntity(bundle)).key.equals(key)).toBe(true)

    const envelope = json['dsseEnvelope'] as {
      payload: string
      payloadType: string
      signatures: { sig: string; keyid: string }[]
    }
    expect(envelope.signatures).toHaveLength(1)
    const payload = Buffer.from(envelope.payload, 'base64')
    expect(
      cryptoVerify(
        'sha256',
        pae(envelope.payloadType, payload),
        key,
        Buffer.from(envelope.signatures[0]!.sig, 'base64'),
      ),
    ).toBe(true)
    const statement = JSON.parse(payload.toString()) as {
      _type: string
      predicateType: string
      subject: { digest: { sha256: string } }[]
    }
    expect(statement._type).toBe('https://in-toto.io/Statement/v1')
    expect(statement.predicateType).toBe('https://slsa.dev/provenance/v1')
    expect(statement.subject.map((s) => s.digest.sha256)).toContain(ref.bundleDigest.slice('sha256:'.length))
  })

  it('a keyless-signed version verifies with @sigstore/verify and its own identity policy', async () => {
    const { ref, manifest } = await storedVersion()
    const signer = new KeylessSigner({
      identityProvider: identityTokenProvider({ SIGSTORE_ID_TOKEN: identityToken() }),
      fulcioUrl: sigstore.url,
      rekorUrl: sigstore.url,
      tsaUrl: sigstore.url,
    })
    const attachment = await signVersion(signer, ref, manifest, buildEnvironment({}))
    const bundle = bundleFromJSON(JSON.parse(Buffer.from(attachment.data).toString()))
    const verifier = new Verifier(toTrustMaterial(sigstore.trustedRoot))
    const result = verifier.verify(toSignedEntity(bundle), {
      subjectAlternativeName: mockSubject,
      extensions: { issuer: mockIssuer },
    })
    expect(result.identity?.subjectAlternativeName).toBe(mockSubject)
    expect(() =>
      verifier.verify(toSignedEntity(bundle), {
        subjectAlternativeName: 'someone-else',
        extensions: { issuer: mockIssuer },
      }),
    ).toThrow()
  })
})
