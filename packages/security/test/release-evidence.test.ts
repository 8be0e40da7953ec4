import { createHash } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createTargetStorage } from '@squizzle/core'
import { mediaTypes } from '@squizzle/core/oci'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { attachReleaseEvidence } from '../src/release/attach-release-evidence.js'
import { releaseEvidence, versionSbom } from '../src/release/release-evidence.js'
import { decryptSigningKey, generateSigningKey } from '../src/keys/signing-key.js'
import { SignaturePolicy } from '../src/policy/signature-policy.js'
import { KeySigner } from '../src/signing/key-signer.js'
import { MemoryTarget } from './support/memory-target.js'
import { storedVersion } from './support/statement.js'

const passphrase = 'release evidence passphrase'
const pair = generateSigningKey(passphrase)
const signer = new KeySigner(decryptSigningKey(pair.privateKeyPem, passphrase))
let projectDir: string

beforeEach(async () => {
  projectDir = await mkdtemp(join(tmpdir(), 'squizzle-evidence-'))
  await writeFile(
    join(projectDir, 'package-lock.json'),
    JSON.stringify({
      lockfileVersion: 3,
      packages: { '': {}, 'node_modules/left-pad': { version: '1.3.0', integrity: 'sha512-AAAA' } },
    }),
  )
})
afterEach(async () => {
  await rm(projectDir, { recursive: true, force: true })
})

const typesOf = (attachments: { artifactType: string }[]) => attachments.map((a) => a.artifactType).sort()

describe('release evidence', () => {
  it('is the SBOM of the verified files and lockfile, and the provenance, signed when a signer is given', async () => {
    const v = await storedVersion('1.2.0')
    const artifact = await v.storage.pull('1.2.0')
    const unsigned = await releaseEvidence(artifact, { env: {}, projectDir })
    expect(typesOf(unsigned)).toEqual([mediaTypes.cyclonedx, mediaTypes.inTotoStatement].sort())
    const signed = await releaseEvidence(artifact, { env: {}, projectDir, signer, sbom: false })
    expect(typesOf(signed)).toEqual([mediaTypes.sigstoreBundle])
    const bom = JSON.parse(await versionSbom(artifact, { projectDir })) as { components: { name: string }[] }
    expect(bom.components.map((c) => c.name)).toEqual(expect.arrayContaining(['migrations/001_init.sql', 'left-pad']))
  })

  it('attaches to a stored version once per SBOM, and the signature satisfies a policy trusting the key', async () => {
    const v = await storedVersion('1.3.0')
    const first = await attachReleaseEvidence({ storage: v.storage, version: '1.3.0', env: {}, projectDir })
    expect(first).toMatchObject({ sbom: true, provenance: 'unsigned' })
    const second = await attachReleaseEvidence({ storage: v.storage, version: '1.3.0', env: {}, projectDir, signer })
    expect(second).toMatchObject({ sbom: false, provenance: 'signed' })
    const attached = typesOf(await v.storage.attachments!(v.ref))
    expect(attached.filter((t) => t === mediaTypes.cyclonedx)).toHaveLength(1)
    const policy = new SignaturePolicy({ signatures: 'required', publicKeys: { [pair.keyId]: pair.publicKeyPem } })
    expect(await policy.check(v)).toEqual({ method: 'key', subject: pair.keyId })
  })

  it('records the SHA-512 of a large file streamed through the bundle, not held whole', async () => {
    // 12 MB: more than one tar-stream piece many times over; the SBOM must hash every byte in order.
    const rows = Array.from({ length: 120_000 }, (_, i) => `INSERT INTO t VALUES (${i}, '${'x'.repeat(80)}');`)
    const seed = rows.join('\n') + '\n'
    const v = await storedVersion('1.2.1', {
      'migrations/001_t.sql': 'CREATE TABLE t (id int, v text);\n',
      'seed/001_rows.sql': seed,
    })
    const bom = JSON.parse(await versionSbom(await v.storage.pull('1.2.1'), { projectDir })) as {
      components: { name: string; hashes?: { alg: string; content: string }[] }[]
    }
    const sha512Of = (name: string) =>
      bom.components.find((c) => c.name === name)?.hashes?.find((h) => h.alg === 'SHA-512')?.content
    expect(sha512Of('seed/001_rows.sql')).toBe(createHash('sha512').update(seed).digest('hex'))
    expect(sha512Of('migrations/001_t.sql')).toBe(
      createHash('sha512').update('CREATE TABLE t (id int, v text);\n').digest('hex'),
    )
  })

  it('signs nothing it did not verify: a corrupted bundle fails even when the SBOM is left out', async () => {
    const target = new MemoryTarget()
    const v = await storedVersion('1.3.1', undefined, createTargetStorage(target))
    const layer = target.blobs.get(v.ref.bundleDigest)!
    layer[layer.length - 1] = (layer[layer.length - 1] ?? 0) ^ 0xff
    const artifact = await v.storage.pull('1.3.1')
    const err = await releaseEvidence(artifact, { env: {}, projectDir, signer, sbom: false }).catch((e) => e)
    expect((err as { code?: string }).code).toBe('DIGEST_MISMATCH')
  })

  it('refuses a storage that cannot hold attachments, and a lockfile it cannot read', async () => {
    const v = await storedVersion('1.4.0')
    const bare = { ...v.storage, attach: undefined, attachments: undefined, name: 'bare' }
    const refused = await attachReleaseEvidence({ storage: bare, version: '1.4.0', env: {}, projectDir }).catch(
      (e) => e,
    )
    expect((refused as { code?: string }).code).toBe('STORAGE_UNSUPPORTED')
    await writeFile(join(projectDir, 'package-lock.json'), 'not json')
    const broken = await releaseEvidence(await v.storage.pull('1.4.0'), { env: {}, projectDir }).catch((e) => e)
    expect((broken as { code?: string }).code).toBe('USAGE')
  })
})
