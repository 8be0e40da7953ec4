import { sign as cryptoSign, createPublicKey, type KeyObject } from 'node:crypto'
import { bundleToJSON } from '@sigstore/bundle'
import { DSSEBundleBuilder, type Signer as SigstoreSigner } from '@sigstore/sign'
import type { SignatureBundle, Signer } from '@squizzle/core'
import { keyIdOf } from '../keys/signing-key.js'

/**
 * Signs with a local ECDSA P-256 key, fully offline: a DSSE envelope in a
 * Sigstore v0.3 bundle whose verification material is the public key's id
 * (`publicKey.hint`). No certificate, no transparency log, no network.
 *
 * @example
 * ```ts
 * const signer = new KeySigner(decryptSigningKey(pem, passphrase))
 * const bundle = await signer.sign(Buffer.from(JSON.stringify(statement)), inTotoPayloadType)
 * ```
 */
export class KeySigner implements Signer {
  readonly keyId: string
  private readonly publicKeyPem: string

  constructor(private readonly privateKey: KeyObject) {
    const publicKey = createPublicKey(privateKey)
    this.publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString()
    this.keyId = keyIdOf(publicKey)
  }

  async sign(payload: Uint8Array, type: string): Promise<SignatureBundle> {
    const holder: SigstoreSigner = {
      sign: async (data) => ({
        signature: cryptoSign('sha256', data, this.privateKey),
        key: { $case: 'publicKey', publicKey: this.publicKeyPem, hint: this.keyId },
      }),
    }
    const bundle = await new DSSEBundleBuilder({ signer: holder, witnesses: [] }).create({
      data: Buffer.from(payload),
      type,
    })
    return bundleToJSON(bundle) as SignatureBundle
  }
}
