import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto'
import { SquizzleError } from '@squizzle/core'

/** The environment variable `squizzle keygen` and key-based signing read the passphrase from. */
export const passphraseEnvVar = 'SQUIZZLE_SIGNING_KEY_PASSPHRASE'

/** A new key pair: the private key is only ever written encrypted. */
export interface GeneratedKeyPair {
  /** PKCS#8 PEM, encrypted with AES-256-CBC under the passphrase. */
  privateKeyPem: string
  /** SPKI PEM, safe to publish and to list in a trust policy. */
  publicKeyPem: string
  /** The public key's id (its hint in Sigstore bundles). */
  keyId: string
}

const minPassphraseLength = 8

/**
 * Creates an ECDSA P-256 key pair whose private key is encrypted with `passphrase`.
 *
 * @example
 * ```ts
 * const { privateKeyPem, publicKeyPem, keyId } = generateSigningKey(process.env.SQUIZZLE_SIGNING_KEY_PASSPHRASE!)
 * ```
 */
export function generateSigningKey(passphrase: string): GeneratedKeyPair {
  assertPassphrase(passphrase)
  const { privateKey, publicKey } = generateKeyPairSync('ec', {
    namedCurve: 'prime256v1',
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase },
  })
  return { privateKeyPem: privateKey, publicKeyPem: publicKey, keyId: keyIdOf(publicKey) }
}

/**
 * A public key's id: the lower-case hex SHA-256 of its DER (SPKI) encoding.
 * Derived from the key itself, so a verifier computes it from the trusted PEM.
 *
 * @example
 * ```ts
 * keyIdOf(readFileSync('squizzle.pub', 'utf8')) // '3f9a…'
 * ```
 */
export function keyIdOf(publicKey: string | KeyObject): string {
  const key = typeof publicKey === 'string' ? parsePublicKey(publicKey) : publicKey
  return createHash('sha256')
    .update(key.export({ type: 'spki', format: 'der' }))
    .digest('hex')
}

/**
 * Parses a trusted public key (PEM); `CONFIG_INVALID` when it is not one.
 *
 * @example
 * ```ts
 * const key = parsePublicKey(readFileSync('squizzle.pub', 'utf8'), 'keys/release.pub')
 * ```
 */
export function parsePublicKey(pem: string, source = 'public key'): KeyObject {
  try {
    const key = createPublicKey(pem)
    if (key.asymmetricKeyType !== 'ec') throw new Error(`a ${key.asymmetricKeyType ?? 'unknown'} key, not ECDSA`)
    return key
  } catch (cause) {
    throw new SquizzleError('CONFIG_INVALID', `${source} is not an ECDSA public key in PEM form`, {
      hint: 'Use the .pub file of a key pair made by generateSigningKey (the keygen command).',
      remedies: [{ operation: 'keygen' }],
      cause,
    })
  }
}

/**
 * Decrypts a private key written by {@link generateSigningKey}. A wrong passphrase
 * is `USAGE` (the operator's to fix); the passphrase never appears in the error.
 *
 * @example
 * ```ts
 * const key = decryptSigningKey(readFileSync('squizzle.key', 'utf8'), passphrase, 'squizzle.key')
 * ```
 */
export function decryptSigningKey(pem: string, passphrase: string, source = 'signing key'): KeyObject {
  if (!pem.includes('-----BEGIN ENCRYPTED PRIVATE KEY-----')) {
    throw new SquizzleError('USAGE', `${source} is not an encrypted private key`, {
      hint: 'Signing keys must be stored encrypted. Create one with generateSigningKey (the keygen command).',
      remedies: [{ operation: 'keygen' }],
    })
  }
  assertPassphrase(passphrase)
  let key: KeyObject
  try {
    key = createPrivateKey({ key: pem, format: 'pem', passphrase })
  } catch {
    // The cause is dropped on purpose: OpenSSL's message adds nothing and must not carry key material.
    throw new SquizzleError('USAGE', `${source} could not be decrypted with the passphrase in ${passphraseEnvVar}`, {
      hint: `Set ${passphraseEnvVar} to the passphrase the key was created with.`,
    })
  }
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new SquizzleError('USAGE', `${source} is not an ECDSA P-256 key`, {
      hint: 'Create a signing key with generateSigningKey (the keygen command).',
      remedies: [{ operation: 'keygen' }],
    })
  }
  return key
}

function assertPassphrase(passphrase: string): void {
  if (passphrase.length < minPassphraseLength) {
    throw new SquizzleError('USAGE', `${passphraseEnvVar} is ${passphrase === '' ? 'empty or unset' : 'too short'}`, {
      hint: `Set ${passphraseEnvVar} to a passphrase of at least ${minPassphraseLength} characters (from your CI's secret store).`,
    })
  }
}
