import { type ArtifactStorage } from '@squizzle/core'
import { mediaTypes } from '@squizzle/core/oci'
import { describe, expect, it } from 'vitest'
import {
  buildEnvironment,
  decryptSigningKey,
  generateSigningKey,
  KeySigner,
  provenanceStatement,
  SignaturePolicy,
  signVersion,
  statementAttachment,
} from '../src/index.js'
import { storedVersion } from './support/statement.js'

const passphrase = 'policy test passphrase'
const pair = generateSigningKey(passphrase)
const signer = new KeySigner(decryptSigningKey(pair.privateKeyPem, passphrase))
const trustedKeys = { [pair.keyId]: pair.publicKeyPem }

async function codeOf(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => 'no error',
    (err: unknown) => (err as { code?: unknown }).code,
  )
}

describe('SignaturePolicy', () => {
  it('accepts a version signed by a trusted key and names the signer', async () => {
    const v = await storedVersion()
    await v.storage.attach!(v.ref, await signVersion(signer, v.ref, v.manifest, buildEnvironment({})))
    expect(await new SignaturePolicy({ signatures: 'required', publicKeys: trustedKeys }).check(v)).toEqual({
      method: 'key',
      subject: pair.keyId,
    })
  })

  it('refuses an unsigned version when signatures are required (SIGNATURE_MISSING), and passes it when optional', async () => {
    const v = await storedVersion()
    await v.storage.attach!(v.ref, statementAttachment(provenanceStatement(v.ref, v.manifest, buildEnvironment({}))))
    expect(await codeOf(new SignaturePolicy({ signatures: 'required', publicKeys: trustedKeys }).check(v))).toBe(
      'SIGNATURE_MISSING',
    )
    expect(await new SignaturePolicy({ signatures: 'optional', publicKeys: trustedKeys }).check(v)).toBeNull()
  })

  it('treats a storage that cannot hold attachments as unsigned', async () => {
    const v = await storedVersion()
    const bare: ArtifactStorage = {
      name: 'bare',
      push: v.storage.push.bind(v.storage),
      pull: v.storage.pull.bind(v.storage),
      exists: v.storage.exists.bind(v.storage),
      list: v.storage.list.bind(v.storage),
      delete: v.storage.delete.bind(v.storage),
    }
    expect(
      await codeOf(
        new SignaturePolicy({ signatures: 'required', publicKeys: trustedKeys }).check({ ...v, storage: bare }),
      ),
    ).toBe('SIGNATURE_MISSING')
  })

  it('refuses a valid signature copied from another version (SIGNATURE_INVALID)', async () => {
    const a = await storedVersion('1.0.0', { 'migrations/001.sql': 'CREATE TABLE a (id int);' })
    const b = await storedVersion('1.0.0', { 'migrations/001.sql': 'DROP TABLE important;' })
    await b.storage.attach!(b.ref, await signVersion(signer, a.ref, a.manifest, buildEnvironment({})))
    expect(await codeOf(new SignaturePolicy({ signatures: 'required', publicKeys: trustedKeys }).check(b))).toBe(
      'SIGNATURE_INVALID',
    )
  })

  it('refuses a bad signature even when signatures are optional, but ignores signatures when nothing is trusted', async () => {
    const v = await storedVersion()
    const other = generateSigningKey(passphrase)
    await v.storage.attach!(
      v.ref,
      await signVersion(
        new KeySigner(decryptSigningKey(other.privateKeyPem, passphrase)),
        v.ref,
        v.manifest,
        buildEnvironment({}),
      ),
    )
    expect(await codeOf(new SignaturePolicy({ signatures: 'optional', publicKeys: trustedKeys }).check(v))).toBe(
      'POLICY_VIOLATION',
    )
    expect(await new SignaturePolicy({ signatures: 'optional' }).check(v)).toBeNull()
  })

  it('accepts when one of several signatures is trusted, and reports a broken one before an untrusted one', async () => {
    const v = await storedVersion()
    const other = generateSigningKey(passphrase)
    await v.storage.attach!(
      v.ref,
      await signVersion(
        new KeySigner(decryptSigningKey(other.privateKeyPem, passphrase)),
        v.ref,
        v.manifest,
        buildEnvironment({}),
      ),
    )
    await v.storage.attach!(v.ref, {
      artifactType: mediaTypes.sigstoreBundle,
      mediaType: mediaTypes.sigstoreBundle,
      data: Buffer.from('not json'),
    })
    expect(await codeOf(new SignaturePolicy({ signatures: 'required', publicKeys: trustedKeys }).check(v))).toBe(
      'SIGNATURE_INVALID',
    )
    await v.storage.attach!(v.ref, await signVersion(signer, v.ref, v.manifest, buildEnvironment({})))
    expect((await new SignaturePolicy({ signatures: 'required', publicKeys: trustedKeys }).check(v))?.subject).toBe(
      pair.keyId,
    )
  })

  it('refuses a signed payload that is not an in-toto statement of this version', async () => {
    const v = await storedVersion()
    const notInToto = await signer.sign(Buffer.from('{}'), 'text/plain')
    await v.storage.attach!(v.ref, {
      artifactType: mediaTypes.sigstoreBundle,
      mediaType: mediaTypes.sigstoreBundle,
      data: Buffer.from(JSON.stringify(notInToto)),
    })
    expect(await codeOf(new SignaturePolicy({ signatures: 'required', publicKeys: trustedKeys }).check(v))).toBe(
      'SIGNATURE_INVALID',
    )
    for (const payload of [
      'not json',
      '{"_type":"other"}',
      '{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":1}]}',
      '{"_type":"https://in-toto.io/Statement/v1","subject":[]}',
    ]) {
      const bundle = await signer.sign(Buffer.from(payload), 'application/vnd.in-toto+json')
      const x = await storedVersion()
      await x.storage.attach!(x.ref, {
        artifactType: mediaTypes.sigstoreBundle,
        mediaType: mediaTypes.sigstoreBundle,
        data: Buffer.from(JSON.stringify(bundle)),
      })
      expect(await codeOf(new SignaturePolicy({ signatures: 'required', publicKeys: trustedKeys }).check(x))).toBe(
        'SIGNATURE_INVALID',
      )
    }
  })
})
