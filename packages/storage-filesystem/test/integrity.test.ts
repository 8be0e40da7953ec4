import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { appendFile, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { hasErrorCode, verifyVersion, type ArtifactRef, type ArtifactStorage } from '@squizzle/core'
import { makeTestVersion } from '@squizzle/core/testing'
import { createFilesystemStorage, OciLayoutTarget } from '../src/index.js'
import { drain, expectCode, tempLayout, type TempLayout } from './helpers.js'

const files = {
  'migrations/001_users.sql': 'CREATE TABLE users (id int);\n',
  'seed/001_users.sql': `INSERT INTO users VALUES ${Array.from({ length: 500 }, (_, i) => `(${i})`).join(', ')};\n`,
}

describe('tamper detection and untrusted layout content', () => {
  let tmp: TempLayout
  let storage: ArtifactStorage
  let ref: ArtifactRef
  beforeEach(async () => {
    tmp = await tempLayout()
    storage = createFilesystemStorage(tmp.layout)
    ref = await storage.push(await makeTestVersion('1.0.0', files))
  })
  afterEach(() => tmp.cleanup())

  it('detects a bundle blob altered in place when the stream is read (DIGEST_MISMATCH)', async () => {
    const bytes = await readFile(tmp.blob(ref.bundleDigest))
    bytes[bytes.length - 12] = (bytes[bytes.length - 12] ?? 0) ^ 0x01
    await writeFile(tmp.blob(ref.bundleDigest), bytes)
    await expectCode(drain((await storage.pull('1.0.0')).open()), 'DIGEST_MISMATCH')
    const err = await verifyVersion(storage, '1.0.0').then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(hasErrorCode(err, 'DIGEST_MISMATCH') || hasErrorCode(err, 'BUNDLE_CORRUPT')).toBe(true)
  })

  it('detects bytes appended to a bundle blob (DIGEST_MISMATCH)', async () => {
    await appendFile(tmp.blob(ref.bundleDigest), 'DROP TABLE users;')
    await expectCode(drain((await storage.pull('1.0.0')).open()), 'DIGEST_MISMATCH')
  })

  it('refuses to pull when the manifest or config blob was altered (DIGEST_MISMATCH)', async () => {
    const manifest = JSON.parse(await readFile(tmp.blob(ref.digest), 'utf8')) as { config: { digest: string } }
    await appendFile(tmp.blob(manifest.config.digest), ' ')
    await expectCode(storage.pull('1.0.0'), 'DIGEST_MISMATCH')
    await appendFile(tmp.blob(ref.digest), ' ')
    await expectCode(storage.pull('1.0.0'), 'DIGEST_MISMATCH')
  })

  it('reports a tagged version whose blobs were removed as VERSION_NOT_FOUND', async () => {
    await rm(tmp.blob(ref.bundleDigest))
    await expectCode(drain((await storage.pull('1.0.0')).open()), 'VERSION_NOT_FOUND')
    await rm(tmp.blob(ref.digest))
    await expectCode(storage.pull('1.0.0'), 'VERSION_NOT_FOUND')
  })

  const malformed: [string, string][] = [
    ['not JSON', '{"schemaVersion":2,"manifests":['],
    ['manifests not an array', '{"schemaVersion":2,"manifests":{}}'],
    ['an entry without a digest', '{"schemaVersion":2,"manifests":[{"mediaType":"x","size":1}]}'],
    ['schemaVersion 1', '{"schemaVersion":1,"manifests":[]}'],
    ['a JSON array', '[]'],
  ]
  for (const [what, text] of malformed) {
    it(`refuses index.json with ${what} (MANIFEST_INVALID) and never overwrites it`, async () => {
      const indexFile = join(tmp.layout, 'index.json')
      await writeFile(indexFile, text)
      await expectCode(storage.pull('1.0.0'), 'MANIFEST_INVALID')
      await expectCode(storage.list(), 'MANIFEST_INVALID')
      await expectCode(storage.push(await makeTestVersion('1.1.0', files)), 'MANIFEST_INVALID')
      await expectCode(storage.delete('1.0.0'), 'MANIFEST_INVALID')
      expect(await readFile(indexFile, 'utf8')).toBe(text)
    })
  }

  it('refuses an index entry with a digest that could escape the layout', async () => {
    const entry = {
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: 'sha256:../../../etc/passwd',
      size: 1,
      annotations: { 'org.opencontainers.image.ref.name': '2.0.0' },
    }
    await writeFile(join(tmp.layout, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [entry] }))
    await expectCode(storage.pull('2.0.0'), 'MANIFEST_INVALID')
  })

  it('refuses to write into a layout of another major version', async () => {
    await writeFile(join(tmp.layout, 'oci-layout'), '{"imageLayoutVersion":"2.0.0"}')
    await expectCode(
      createFilesystemStorage(tmp.layout).push(await makeTestVersion('1.1.0', files)),
      'STORAGE_UNSUPPORTED',
    )
  })

  it.skipIf(!existsSync('/proc/self/fd'))(
    'releases the blob file when a reader abandons the bundle stream',
    async () => {
      const big = await createFilesystemStorage(tmp.layout).push(
        await makeTestVersion('2.0.0', { 'seed/big.sql': `-- ${randomBytes(300_000).toString('hex')}\n` }),
      )
      expect(big.bundleSize).toBeGreaterThan(200_000) // several reads, so the stream is abandoned midway
      const pulled = await storage.pull('2.0.0')
      const openFiles = async (): Promise<number> => (await readdir('/proc/self/fd')).length
      const before = await openFiles()
      for (let i = 0; i < 5; i++) {
        const stream = pulled.open()
        await new Promise<void>((resolve) => stream.once('data', () => resolve(void stream.destroy())))
      }
      // Files close on libuv's thread pool, which a busy machine may take a while to get to: wait, then compare.
      for (const until = Date.now() + 30_000; (await openFiles()) !== before && Date.now() < until;) {
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
      expect(await openFiles()).toBe(before)
    },
  )

  it('lets a second target see the versions the first one wrote', async () => {
    expect((await new OciLayoutTarget(tmp.layout).resolve('1.0.0')).digest).toBe(ref.digest)
  })
})
