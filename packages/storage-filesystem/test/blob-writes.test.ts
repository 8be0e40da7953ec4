import { createHash } from 'node:crypto'
import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { describeBytes } from '@squizzle/core/oci'
import { makeTestVersion } from '@squizzle/core/testing'
import { createFilesystemStorage, OciLayoutTarget } from '../src/index.js'
import { expectCode, failingStream, filesIn, tempLayout, type TempLayout } from './helpers.js'

const blobType = 'application/octet-stream'

describe('blob writes', () => {
  let tmp: TempLayout
  let target: OciLayoutTarget
  beforeEach(async () => {
    tmp = await tempLayout()
    target = new OciLayoutTarget(tmp.layout)
  })
  afterEach(() => tmp.cleanup())

  async function expectNothingStored(): Promise<void> {
    expect(await filesIn(join(tmp.layout, 'blobs', 'sha256'))).toEqual([])
    expect(await filesIn(join(tmp.layout, 'ingest'))).toEqual([])
  }

  it('leaves no blob and no partial file when the stream fails midway', async () => {
    const content = Buffer.alloc(300_000, 7)
    const desc = describeBytes(blobType, content)
    await expectCode(
      target.push(desc, failingStream([content.subarray(0, 100_000), content.subarray(100_000, 200_000)])),
      'STORAGE_ERROR',
    )
    expect(await target.exists(desc)).toBe(false)
    await expectNothingStored()
  })

  it('leaves no blob when the stream is aborted without an error', async () => {
    const content = Buffer.alloc(10_000, 1)
    const source = new Readable({ read() {} })
    source.push(content.subarray(0, 5_000))
    setTimeout(() => source.destroy(), 20)
    await expectCode(target.push(describeBytes(blobType, content), source), 'STORAGE_ERROR')
    await expectNothingStored()
  })

  it('refuses content whose digest or size differs from the descriptor (DIGEST_MISMATCH)', async () => {
    const content = Buffer.from('the real bytes')
    const desc = describeBytes(blobType, content)
    await expectCode(target.push(desc, Buffer.from('the fake bytes')), 'DIGEST_MISMATCH') // same size, other digest
    await expectCode(target.push(desc, Buffer.concat([content, Buffer.from('!')])), 'DIGEST_MISMATCH')
    await expectCode(target.push(desc, Readable.from([content.subarray(0, 5)])), 'DIGEST_MISMATCH')
    await expectCode(target.push({ ...desc, size: content.length + 1 }, content), 'DIGEST_MISMATCH')
    await expectNothingStored()
    await target.push(desc, Readable.from([content.subarray(0, 3), content.subarray(3)]))
    expect(await readFile(tmp.blob(desc.digest))).toEqual(content)
  })

  it('refuses a descriptor with an impossible size', async () => {
    const desc = describeBytes(blobType, Buffer.from('x'))
    await expectCode(target.push({ ...desc, size: -1 }, Buffer.from('x')), 'MANIFEST_INVALID')
    await expectCode(target.push({ ...desc, size: 1.5 }, Buffer.from('x')), 'MANIFEST_INVALID')
  })

  it('treats pushing an existing blob as a no-op and releases the unread stream', async () => {
    const content = Buffer.from('same bytes')
    const desc = describeBytes(blobType, content)
    await target.push(desc, content)
    const before = await stat(tmp.blob(desc.digest))
    const again = Readable.from([content])
    await target.push(desc, again)
    expect(again.destroyed).toBe(true)
    const after = await stat(tmp.blob(desc.digest))
    expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs])
  })

  it('streams a large blob through in constant memory', async () => {
    const chunk = Buffer.alloc(1024 * 1024, 0x5a)
    const count = 128 // 128 MiB, far more than the allowed growth below
    const hash = createHash('sha256')
    for (let i = 0; i < count; i++) hash.update(chunk)
    const desc = { mediaType: blobType, digest: `sha256:${hash.digest('hex')}`, size: chunk.length * count }
    const source = Readable.from(
      (function* () {
        for (let i = 0; i < count; i++) yield Buffer.from(chunk)
      })(),
    )
    const baseline = process.memoryUsage().rss
    let peak = baseline
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5)
    try {
      await target.push(desc, source)
    } finally {
      clearInterval(sampler)
    }
    expect((await stat(tmp.blob(desc.digest))).size).toBe(desc.size)
    expect(peak - baseline).toBeLessThan(64 * 1024 * 1024)
  })

  it('storage.push with a failing bundle stream stores no blob and no tag', async () => {
    const storage = createFilesystemStorage(tmp.layout)
    const { manifest, bundle } = await makeTestVersion('1.0.0')
    await expect(
      storage.push({ manifest, bundle: failingStream([Buffer.from(bundle.subarray(0, 10))]) }),
    ).rejects.toMatchObject({ code: 'STORAGE_ERROR' })
    expect(await storage.list()).toEqual([])
    await expectNothingStored()
  })

  it('keeps every tag when many versions are pushed at once, through two targets on one directory', async () => {
    const a = createFilesystemStorage(tmp.layout)
    const b = createFilesystemStorage(tmp.layout)
    const versions = Array.from({ length: 24 }, (_, i) => `1.${i}.0`)
    await Promise.all(versions.map(async (v, i) => (i % 2 ? a : b).push(await makeTestVersion(v))))
    expect((await a.list()).map((i) => i.version)).toEqual(versions)
  })
})
