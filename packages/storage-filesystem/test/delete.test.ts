import { appendFile, readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { verifyVersion } from '@squizzle/core'
import { describeBytes } from '@squizzle/core/oci'
import { makeTestVersion } from '@squizzle/core/testing'
import { createFilesystemStorage, OciLayoutTarget } from '../src/index.js'
import { expectCode, filesIn, tempLayout, type TempLayout } from './helpers.js'

const users = { 'migrations/001_users.sql': 'CREATE TABLE users (id int);\n' }
const orders = { 'migrations/002_orders.sql': 'CREATE TABLE orders (id int);\n' }

describe('deleting versions', () => {
  let tmp: TempLayout
  beforeEach(async () => {
    tmp = await tempLayout()
  })
  afterEach(() => tmp.cleanup())

  const blobs = async (): Promise<string[]> =>
    (await filesIn(join(tmp.layout, 'blobs', 'sha256'))).map((hex) => `sha256:${hex}`).sort()

  it("removes the version's attachments and their referrers tag along with it", async () => {
    const storage = createFilesystemStorage(tmp.layout)
    const ref = await storage.push(await makeTestVersion('1.0.0', users))
    await storage.attach!(ref, {
      artifactType: 'application/vnd.example.sig',
      mediaType: 'application/json',
      data: Buffer.from('{"sig":1}'),
    })
    const tags = async () =>
      (
        JSON.parse(await readFile(join(tmp.layout, 'index.json'), 'utf8')) as {
          manifests: { annotations?: Record<string, string> }[]
        }
      ).manifests.map((m) => m.annotations?.['org.opencontainers.image.ref.name'])
    expect(await tags()).toContain(`sha256-${ref.digest.slice('sha256:'.length)}`)
    await storage.delete('1.0.0')
    expect(await tags()).toEqual([])
  })

  it('removes the tag, the manifest and its unshared blobs, and keeps blobs another version uses', async () => {
    const storage = createFilesystemStorage(tmp.layout)
    const first = await storage.push(await makeTestVersion('1.0.0', users))
    const shared = await storage.push(await makeTestVersion('1.1.0', users, { previousVersion: '1.0.0' }))
    const other = await storage.push(await makeTestVersion('1.2.0', orders, { previousVersion: '1.1.0' }))
    expect(shared.bundleDigest).toBe(first.bundleDigest)
    const before = await blobs()
    await storage.delete('1.0.0')
    const after = await blobs()
    // Gone: the manifest and its config (the Squizzle manifest names the version). Kept: the shared bundle layer.
    expect(before.length - after.length).toBe(2)
    expect(after).not.toContain(first.digest)
    expect(after).toContain(first.bundleDigest)
    expect((await storage.list()).map((v) => v.version)).toEqual(['1.1.0', '1.2.0'])
    await verifyVersion(storage, '1.1.0')
    await storage.delete('1.1.0')
    await storage.delete('1.2.0')
    expect(await blobs()).toEqual([])
    expect(JSON.parse(await readFile(join(tmp.layout, 'index.json'), 'utf8'))).toMatchObject({ manifests: [] })
    expect(other.digest).not.toBe(first.digest)
  })

  it('removes every tag that points at the deleted manifest', async () => {
    const storage = createFilesystemStorage(tmp.layout)
    const ref = await storage.push(await makeTestVersion('1.0.0', users))
    const target = new OciLayoutTarget(tmp.layout)
    const desc = await target.resolve(ref.digest)
    await target.tag(desc, 'latest')
    await target.delete(desc)
    const tags: string[] = []
    for await (const tag of target.tags()) tags.push(tag)
    expect(tags).toEqual([])
    await expectCode(target.resolve(ref.digest), 'VERSION_NOT_FOUND')
  })

  it('keeps a deleted manifest that a tagged index still references', async () => {
    const storage = createFilesystemStorage(tmp.layout)
    const ref = await storage.push(await makeTestVersion('1.0.0', users))
    const target = new OciLayoutTarget(tmp.layout)
    const desc = await target.resolve(ref.digest)
    const index = Buffer.from(
      JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [desc] }),
    )
    const indexDesc = describeBytes('application/vnd.oci.image.index.v1+json', index)
    await target.push(indexDesc, index)
    await target.tag(indexDesc, 'all')
    await storage.delete('1.0.0')
    expect(await storage.exists('1.0.0')).toBe(false)
    expect(await blobs()).toEqual(expect.arrayContaining([ref.digest, ref.bundleDigest]))
  })

  it('changes nothing when a manifest it must inspect is damaged', async () => {
    const storage = createFilesystemStorage(tmp.layout)
    await storage.push(await makeTestVersion('1.0.0', users))
    const damaged = await storage.push(await makeTestVersion('1.1.0', users, { previousVersion: '1.0.0' }))
    await appendFile(tmp.blob(damaged.digest), ' ')
    const indexBefore = await readFile(join(tmp.layout, 'index.json'), 'utf8')
    const blobsBefore = await blobs()
    await expectCode(storage.delete('1.0.0'), 'DIGEST_MISMATCH')
    expect(await readFile(join(tmp.layout, 'index.json'), 'utf8')).toBe(indexBefore)
    expect(await blobs()).toEqual(blobsBefore)
    // The damaged version itself can still be deleted: that is how it gets cleaned up.
    await new OciLayoutTarget(tmp.layout).delete({
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: damaged.digest,
      size: damaged.size,
    })
    expect((await storage.list()).map((v) => v.version)).toEqual(['1.0.0'])
  })

  it('works in a layout without ingest/, as other tools write it', async () => {
    const storage = createFilesystemStorage(tmp.layout)
    await storage.push(await makeTestVersion('1.0.0', users))
    await storage.push(await makeTestVersion('1.1.0', orders))
    await rm(join(tmp.layout, 'ingest'), { recursive: true })
    await createFilesystemStorage(tmp.layout).delete('1.0.0')
    expect((await storage.list()).map((v) => v.version)).toEqual(['1.1.0'])
  })

  it('throws VERSION_NOT_FOUND for a version or digest it does not hold', async () => {
    const storage = createFilesystemStorage(tmp.layout)
    await expectCode(storage.delete('1.0.0'), 'VERSION_NOT_FOUND')
    await expectCode(
      new OciLayoutTarget(tmp.layout).delete(describeBytes('x', Buffer.from('absent'))),
      'VERSION_NOT_FOUND',
    )
  })
})
