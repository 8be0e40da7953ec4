import { createHash } from 'node:crypto'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { copyVersion, createTargetStorage, verifyVersion } from '@squizzle/core'
import { makeTestVersion } from '@squizzle/core/testing'
import { createFilesystemStorage, OciLayoutTarget } from '@squizzle/storage-filesystem'
import type { TestRegistry } from '@squizzle/testkit'
import { expectCode } from './helpers.js'
import { freshRepository, sharedRegistry, skipRegistry, storageIn } from './registry-fixture.js'
import { runSkopeo, skipSkopeo } from './skopeo.js'

const sha256 = (bytes: Uint8Array) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`
const files = {
  'migrations/001_users.sql': 'CREATE TABLE users (id int);\n',
  'rollback/001_users.sql': 'DROP TABLE users;\n',
}

describe.skipIf(skipRegistry || skipSkopeo)('interoperability with skopeo through a real registry', () => {
  let registry: TestRegistry
  let dir: string
  beforeAll(async () => {
    registry = await sharedRegistry('basic')
    dir = await mkdtemp(join(tmpdir(), 'squizzle-oci-skopeo-'))
  })
  afterAll(() => rm(dir, { recursive: true, force: true }))
  const creds = () => `${registry.credentials!.username}:${registry.credentials!.password}`

  it('skopeo inspects and copies what we push, byte for byte (to dir: and oci:)', async () => {
    const repository = freshRepository()
    const version = await makeTestVersion('1.4.0', files)
    const ref = await storageIn(registry, {}, repository).push(version)
    const source = `docker://${registry.host}/${repository}:1.4.0`
    const raw = await runSkopeo('inspect', '--raw', '--tls-verify=false', '--creds', creds(), source)
    expect(sha256(Buffer.from(raw, 'latin1'))).toBe(ref.digest)
    expect(JSON.parse(raw)).toMatchObject({
      artifactType: 'application/vnd.squizzle.bundle.v1',
      layers: [{ digest: ref.bundleDigest }],
    })

    const out = join(dir, 'dir-copy')
    await runSkopeo('copy', '--src-tls-verify=false', '--src-creds', creds(), source, `dir:${out}`)
    expect(sha256(await readFile(join(out, 'manifest.json')))).toBe(ref.digest)
    expect(Buffer.from(await readFile(join(out, ref.bundleDigest.slice(7)))).equals(Buffer.from(version.bundle))).toBe(
      true,
    )

    const layout = join(dir, 'oci-copy')
    await runSkopeo('copy', '--src-tls-verify=false', '--src-creds', creds(), source, `oci:${layout}:1.4.0`)
    expect(await verifyVersion(createFilesystemStorage(layout), '1.4.0')).toMatchObject({
      version: '1.4.0',
      digest: ref.digest,
      files: 2,
    })
  })

  it('pulls and verifies what skopeo copied from our local layout into the registry', async () => {
    const repository = freshRepository()
    const layout = join(dir, 'ours')
    const local = await createFilesystemStorage(layout).push(await makeTestVersion('2.0.0-rc.1', files))
    await runSkopeo(
      'copy',
      '--dest-tls-verify=false',
      '--dest-creds',
      creds(),
      `oci:${layout}:2.0.0-rc.1`,
      `docker://${registry.host}/${repository}:2.0.0-rc.1`,
    )
    const storage = storageIn(registry, {}, repository)
    expect(await storage.list()).toEqual([expect.objectContaining({ version: '2.0.0-rc.1', digest: local.digest })])
    expect(await verifyVersion(storage, '2.0.0-rc.1')).toMatchObject({ digest: local.digest, files: 2 })
  })

  it('refuses to copy a tag skopeo copied onto another version (TAMPERED); nothing is stored under it', async () => {
    const repository = freshRepository()
    const remote = storageIn(registry, {}, repository)
    await remote.push(await makeTestVersion('1.0.0', files))
    const at = (tag: string) => `docker://${registry.host}/${repository}:${tag}`
    const tls = ['--src-tls-verify=false', '--dest-tls-verify=false', '--src-creds', creds(), '--dest-creds', creds()]
    await runSkopeo('copy', ...tls, at('1.0.0'), at('2.0.0'))
    expect((await remote.target.resolve('2.0.0')).digest).toBe((await remote.target.resolve('1.0.0')).digest)
    const layout = new OciLayoutTarget(join(dir, 'mistagged'))
    const err = await expectCode(copyVersion(remote.target, layout, '2.0.0'), 'TAMPERED')
    expect(err.details).toMatchObject({ version: '2.0.0', bundleVersion: '1.0.0' })
    expect(await createTargetStorage(layout).exists('2.0.0')).toBe(false)
    await expectCode(remote.pull('2.0.0'), 'TAMPERED')
  })
})
