import { mkdtemp, open, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type ContentTarget, type Descriptor } from '@squizzle/core'
import { mediaTypes } from '@squizzle/core/oci'
import { contentTargetChecks, describeContentTarget, describeStorage } from '@squizzle/core/testing'
import { describe, expect, it } from 'vitest'
import { createFilesystemStorage, OciLayoutTarget } from '../src/index.js'

describeStorage('createFilesystemStorage (OCI image layout)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'squizzle-fs-'))
  const layout = join(dir, 'layout')
  return {
    storage: createFilesystemStorage(layout),
    cleanup: () => rm(dir, { recursive: true, force: true }),
    // Flip one byte in the middle of the stored blob, keeping its size.
    corrupt: async (digest) => {
      const file = await open(join(layout, 'blobs', 'sha256', digest.slice('sha256:'.length)), 'r+')
      try {
        const { size } = await file.stat()
        const byte = Buffer.alloc(1)
        await file.read(byte, 0, 1, Math.floor(size / 2))
        byte[0] = (byte[0] ?? 0) ^ 0xff
        await file.write(byte, 0, 1, Math.floor(size / 2))
      } finally {
        await file.close()
      }
    },
  }
})

async function freshLayout() {
  const dir = await mkdtemp(join(tmpdir(), 'squizzle-fs-target-'))
  return { target: new OciLayoutTarget(join(dir, 'layout')), cleanup: () => rm(dir, { recursive: true, force: true }) }
}

describeContentTarget('OciLayoutTarget', freshLayout)

describe('the ContentTarget suite on a broken OCI layout', () => {
  it('catches resolve(digest) answering with the descriptor of another manifest', async () => {
    const { target, cleanup } = await freshLayout()
    try {
      const other = sampleDescriptor()
      const broken: ContentTarget = Object.create(target, {
        resolve: { value: async (ref: string) => (ref.includes(':') ? other : target.resolve(ref)) },
      })
      const check = contentTargetChecks.find((c) => c.name.startsWith('resolves a pushed manifest by its digest'))!
      await expect(check.run(broken)).rejects.toThrow()
      const { target: good, cleanup: clean } = await freshLayout()
      await check.run(good).finally(clean)
    } finally {
      await cleanup()
    }
  })
})

function sampleDescriptor(): Descriptor {
  return { mediaType: mediaTypes.imageManifest, digest: `sha256:${'e'.repeat(64)}`, size: 123 }
}
