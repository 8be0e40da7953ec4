import { mkdtemp, open, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describeStorage } from '@squizzle/core/testing'
import { createFilesystemStorage } from '../src/index.js'

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
