import { createHash } from 'node:crypto'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { createGzip } from 'node:zlib'
import tar from 'tar-stream'
import { describe, expect, it } from 'vitest'
import { computeChecksum } from '../manifest/checksum.js'
import type { FileKind, Manifest, ManifestFile } from '../manifest/manifest.js'
import { validateManifest } from '../manifest/validate-manifest.js'
import { bundleFiles, readBundle } from './bundle-reader.js'
import { writeBundle } from './bundle-writer.js'

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex')

function manifestOf(files: ManifestFile[]): Manifest {
  return validateManifest({
    formatVersion: 1,
    version: '1.0.0',
    previousVersion: null,
    created: '2024-01-01T00:00:00Z',
    tools: { squizzle: '0.0.0' },
    transactionScope: 'version',
    files,
    checksum: computeChecksum(files),
  })
}

/** A bundle written by Squizzle's writer and its manifest. */
function bundle(contents: Record<string, string>): { manifest: Manifest; open: () => Readable } {
  const entries = Object.entries(contents).map(([path, text]) => ({ path, bytes: Buffer.from(text, 'utf8') }))
  const files = entries.map(({ path, bytes }) => ({
    path,
    kind: path.split('/')[0] as FileKind,
    size: bytes.length,
    sha256: sha256(bytes),
    transaction: true,
  }))
  return {
    manifest: manifestOf(files),
    open: () => writeBundle(entries.map(({ path, bytes }) => ({ path, size: bytes.length, source: bytes }))),
  }
}

const sample = {
  'drizzle/0000_init.sql': 'CREATE TABLE a (id int);\n',
  'migrations/2_b.sql': 'ALTER TABLE a ADD b text;\n',
  'migrations/10_c.sql': 'CREATE TABLE "é日本" (x int); -- ünïcödé\n',
  'seed/001_rows.sql': 'INSERT INTO a VALUES (1);\n'.repeat(1000),
  'rollback/10_c.sql': '',
}

describe('readBundle', () => {
  it('round-trips what writeBundle wrote, calling onFile in manifest order with the verified bytes', async () => {
    const { manifest, open } = bundle(sample)
    const seen: [string, string][] = []
    await readBundle(open(), manifest, {
      onFile: (file, content) => void seen.push([file.path, content.toString('utf8')]),
    })
    expect(seen).toEqual(Object.entries(sample))
  })

  it('passes the manifest’s own file entries to onFile', async () => {
    const { manifest, open } = bundle(sample)
    const files: ManifestFile[] = []
    await readBundle(open(), manifest, { onFile: (file) => void files.push(file) })
    expect(files).toEqual(manifest.files)
    expect(files[1]).toBe(manifest.files[1])
  })

  it('waits for onFile to resolve before reading the next file', async () => {
    const { manifest, open } = bundle(sample)
    const log: string[] = []
    await readBundle(open(), manifest, {
      onFile: async (file) => {
        log.push(`start ${file.path}`)
        await new Promise((resolve) => setTimeout(resolve, 5))
        log.push(`end ${file.path}`)
      },
    })
    expect(log).toEqual(Object.keys(sample).flatMap((path) => [`start ${path}`, `end ${path}`]))
  })

  it('reads a bundle without onFile, only checking it', async () => {
    const { manifest, open } = bundle(sample)
    await expect(readBundle(open(), manifest)).resolves.toBeUndefined()
  })

  it('reads an empty bundle for a manifest without files', async () => {
    const { manifest, open } = bundle({})
    await expect(
      readBundle(open(), manifest, { onFile: () => expect.fail('no file expected') }),
    ).resolves.toBeUndefined()
  })

  it('passes an error thrown by onFile through unchanged and stops reading', async () => {
    const { manifest, open } = bundle(sample)
    const boom = new Error('driver failed')
    let calls = 0
    await expect(
      readBundle(open(), manifest, {
        onFile: () => {
          calls++
          throw boom
        },
      }),
    ).rejects.toBe(boom)
    expect(calls).toBe(1)
  })

  it('refuses a bundle larger than maxBundleBytes (BUNDLE_LIMIT_EXCEEDED)', async () => {
    const { manifest, open } = bundle(sample)
    await expect(readBundle(open(), manifest, { limits: { maxBundleBytes: 64 } })).rejects.toMatchObject({
      code: 'BUNDLE_LIMIT_EXCEEDED',
    })
  })

  it('refuses a bundle whose file digest differs from the manifest (DIGEST_MISMATCH)', async () => {
    const { manifest, open } = bundle(sample)
    const lying = manifestOf(manifest.files.map((f, i) => (i === 2 ? { ...f, sha256: '0'.repeat(64) } : f)))
    await expect(readBundle(open(), lying)).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' })
  })

  it('refuses the bundle of another version (BUNDLE_UNSAFE)', async () => {
    const { manifest } = bundle(sample)
    const other = bundle({ 'migrations/1_other.sql': 'SELECT 1;' })
    await expect(readBundle(other.open(), manifest)).rejects.toMatchObject({ code: 'BUNDLE_UNSAFE' })
  })
})

describe('bundleFiles', () => {
  it('yields each verified file with its bytes', async () => {
    const { manifest, open } = bundle(sample)
    const seen: [string, string][] = []
    for await (const { file, content } of bundleFiles(open(), manifest))
      seen.push([file.path, content.toString('utf8')])
    expect(seen).toEqual(Object.entries(sample))
  })

  it('yields empty contents when asked not to keep them', async () => {
    const { manifest, open } = bundle(sample)
    for await (const { content } of bundleFiles(open(), manifest, { keepContent: false }))
      expect(content.length).toBe(0)
  })

  it('closes the source when the caller stops early', async () => {
    const { manifest, open } = bundle(sample)
    const source = open()
    for await (const { file } of bundleFiles(source, manifest)) {
      expect(file.path).toBe('drizzle/0000_init.sql')
      break
    }
    expect(source.destroyed).toBe(true)
  })
})

describe('readBundle on a huge bundle', () => {
  const block = Buffer.alloc(1024 * 1024)
  {
    // Pseudo-random SQL text: compresses about 2:1, far from a bomb.
    let x = 7
    for (let i = 0; i < block.length; i++) {
      x = (x * 1103515245 + 12345) & 0x7fffffff
      block[i] = i % 64 === 63 ? 10 : 97 + ((x >>> 16) % 26)
    }
  }
  const blocks = 200
  const size = block.length * blocks

  /** A 200 MiB single-file bundle, generated as it is read; nothing of it is ever held whole. */
  function hugeBundle(): Readable {
    const pack = tar.pack()
    const entry = pack.entry(
      { name: 'seed/huge.sql', size, mode: 0o644, mtime: new Date(0), uid: 0, gid: 0, uname: '', gname: '' },
      (err) => {
        if (err) pack.destroy(err)
        else pack.finalize()
      },
    )
    pipeline(
      Readable.from(
        (function* () {
          for (let i = 0; i < blocks; i++) yield block
        })(),
      ),
      entry,
    ).catch((err: unknown) => pack.destroy(err as Error))
    return pack.pipe(createGzip({ level: 1 }))
  }

  it('keeps memory flat without onFile (rss grows by well under the bundle size)', async () => {
    const hash = createHash('sha256')
    for (let i = 0; i < blocks; i++) hash.update(block)
    const manifest = manifestOf([
      { path: 'seed/huge.sql', kind: 'seed', size, sha256: hash.digest('hex'), transaction: true },
    ])

    const before = process.memoryUsage().rss
    let peak = before
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss)
    }, 10)
    try {
      await readBundle(hugeBundle(), manifest)
    } finally {
      clearInterval(sampler)
    }
    peak = Math.max(peak, process.memoryUsage().rss)
    expect(peak - before).toBeLessThan(100 * 1024 * 1024)
  }, 120_000)
})
