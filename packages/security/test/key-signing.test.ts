import { generateKeyPairSync } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import {
  buildEnvironment,
  decryptSigningKey,
  generateSigningKey,
  inTotoPayloadType,
  keyIdOf,
  KeySigner,
  parsePublicKey,
  parseStatement,
  provenanceStatement,
  SigstoreVerifier,
} from '../src/index.js'
import { storedVersion } from './support/statement.js'

const passphrase = 'correct horse battery staple'

async function codeOf(p: Promise<unknown> | (() => unknown)): Promise<unknown> {
  try {
    await (typeof p === 'function' ? p() : p)
  } catch (err) {
    return (err as { code?: unknown }).code
  }
  return 'no error'
}

describe('key pairs', () => {
  it('creates an encrypted P-256 key whose id is the SHA-256 of its public key', () => {
    const pair = generateSigningKey(passphrase)
    expect(pair.privateKeyPem).toContain('-----BEGIN ENCRYPTED PRIVATE KEY-----')
    expect(pair.privateKeyPem).not.toContain(passphrase)
    expect(pair.keyId).toMatch(/^[0-9a-f]{64}$/)
    expect(keyIdOf(pair.publicKeyPem)).toBe(pair.keyId)
    expect(decryptSigningKey(pair.privateKeyPem, passphrase).asymmetricKeyDetails?.namedCurve).toBe('prime256v1')
  })

  it('refuses a wrong passphrase, a short one and an unencrypted key, never echoing the passphrase', async () => {
    const pair = generateSigningKey(passphrase)
    let message = ''
    try {
      decryptSigningKey(pair.privateKeyPem, 'wrong passphrase!')
    } catch (err) {
      message = JSON.stringify({
        m: (err as Error).message,
        h: (err as { hint?: string }).hint,
        c: String((err as Error).cause),
      })
    }
    expect(message).toContain('could not be decrypted')
    expect(message).not.toContain('wrong passphrase!')
    expect(await codeOf(() => generateSigningKey('short'))).toBe('USAGE')
    expect(await codeOf(() => decryptSigningKey(pair.privateKeyPem, ''))).toBe('USAGE')
    const plain = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString()
    expect(await codeOf(() => decryptSigningKey(plain, passphrase))).toBe('USAGE')
    const rsa = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    })
    expect(await codeOf(() => decryptSigningKey(rsa.privateKey, passphrase))).toBe('USAGE')
    expect(await codeOf(() => parsePublicKey(rsa.publicKey))).toBe('CONFIG_INVALID')
    expect(await codeOf(() => parsePublicKey('not a key'))).toBe('CONFIG_INVALID')
  })
})

describe('key-based signing, offline', () => {
  it('signs a provenance statement into a v0.3 bundle with a public-key hint that verifies with the trusted key', async () => {
    const pair = generateSigningKey(passphrase)
    const signer = new KeySigner(decryptSigningKey(pair.privateKeyPem, passphrase))
    const { ref, manifest } = await storedVersion()
    const statement = provenanceStatement(ref, manifest, buildEnvironment({}))
    const bundle = await signer.sign(Buffer.from(JSON.stringify(statement)), inTotoPayloadType)
    expect(bundle).toMatchObject({
      mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
      verificationMaterial: { publicKey: { hint: pair.keyId } },
      dsseEnvelope: { payloadType: inTotoPayloadType },
    })
    const verified = await new SigstoreVerifier().verify(bundle, {
      signatures: 'required',
      publicKeys: { [pair.keyId]: pair.publicKeyPem },
    })
    expect(verified.identity).toEqual({ method: 'key', subject: pair.keyId })
    expect(parseStatement(verified.payload)).toEqual(statement)
  })

  it('refuses a signature by a key the policy does not list (POLICY_VIOLATION)', async () => {
    const signer = new KeySigner(decryptSigningKey(generateSigningKey(passphrase).privateKeyPem, passphrase))
    const other = generateSigningKey(passphrase)
    const bundle = await signer.sign(Buffer.from('{}'), inTotoPayloadType)
    expect(
      await codeOf(
        new SigstoreVerifier().verify(bundle, {
          signatures: 'required',
          publicKeys: { [other.keyId]: other.publicKeyPem },
        }),
      ),
    ).toBe('POLICY_VIOLATION')
    expect(await codeOf(new SigstoreVerifier().verify(bundle, { signatures: 'required' }))).toBe('POLICY_VIOLATION')
  })

  it('refuses an envelope whose payload was altered after signing (SIGNATURE_INVALID)', async () => {
    const pair = generateSigningKey(passphrase)
    const bundle = await new KeySigner(decryptSigningKey(pair.privateKeyPem, passphrase)).sign(
      Buffer.from('{"a":1}'),
      inTotoPayloadType,
    )
    const envelope = bundle['dsseEnvelope'] as { payload: string }
    envelope.payload = Buffer.from('{"a":2}').toString('base64')
    expect(
      await codeOf(
        new SigstoreVerifier().verify(bundle, {
          signatures: 'required',
          publicKeys: { [pair.keyId]: pair.publicKeyPem },
        }),
      ),
    ).toBe('SIGNATURE_INVALID')
  })

  it('refuses a bundle that claims a trusted key id but was signed by another key (SIGNATURE_INVALID)', async () => {
    const trusted = generateSigningKey(passphrase)
    const bundle = await new KeySigner(
      decryptSigningKey(generateSigningKey(passphrase).privateKeyPem, passphrase),
    ).sign(Buffer.from('{}'), inTotoPayloadType)
    ;(bundle['verificationMaterial'] as { publicKey: { hint: string } }).publicKey.hint = trusted.keyId
    expect(
      await codeOf(
        new SigstoreVerifier().verify(bundle, {
          signatures: 'required',
          publicKeys: { [trusted.keyId]: trusted.publicKeyPem },
        }),
      ),
    ).toBe('SIGNATURE_INVALID')
  })

  it('refuses what is not a DSSE Sigstore bundle (SIGNATURE_INVALID)', async () => {
    const verifier = new SigstoreVerifier()
    expect(await codeOf(verifier.verify({ hello: 'world' }, { signatures: 'required' }))).toBe('SIGNATURE_INVALID')
    const pair = generateSigningKey(passphrase)
    const bundle = await new KeySigner(decryptSigningKey(pair.privateKeyPem, passphrase)).sign(
      Buffer.from('{}'),
      inTotoPayloadType,
    )
    const { dsseEnvelope: _envelope, ...rest } = bundle
    const messageSignature = {
      ...rest,
      messageSignature: {
        messageDigest: { algorithm: 'SHA2_256', digest: Buffer.alloc(32).toString('base64') },
        signature: Buffer.alloc(8).toString('base64'),
      },
    }
    expect(
      await codeOf(
        verifier.verify(messageSignature, { signatures: 'required', publicKeys: { [pair.keyId]: pair.publicKeyPem } }),
      ),
    ).toBe('SIGNATURE_INVALID')
  })
})
