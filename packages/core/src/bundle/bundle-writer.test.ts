import { createHash } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { gunzipSync } from 'node:zlib'
import tar from 'tar-stream'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { writeBundle, sourceDateEpoch, type BundleEntry, type WriteBundleOptions } from './bundle-writer.js'

const sql = (text: string): BundleEntry => {
  const bytes = Buffer.from(text, 'utf8')
  return { path: '', size: bytes.length, source: bytes }
}

const entries: BundleEntry[] = [
  { ...sql('CREATE TABLE users (id int);\n'), path: 'migrations/001_users.sql' },
  { ...sql('CREATE INDEX CONCURRENTLY i ON users (id);\n'), path: 'migrations/002_index.sql' },
  { ...sql('INSERT INTO users VALUES (1), (2);\n'), path: 'seed/001_users.sql' },
  { ...sql(''), path: 'rollback/001_users.sql' },
]

async function bytesOf(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk)
  return Buffer.concat(chunks)
}

const write = (list: readonly BundleEntry[], options?: WriteBundleOptions): Promise<Buffer> =>
  bytesOf(writeBundle(list, options))
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex')

/** Every tar header and body in the gzip-compressed tar. */
async function tarEntries(gz: Buffer): Promise<{ header: tar.Header; body: Buffer }[]> {
  const extract = tar.extract()
  const out: { header: tar.Header; body: Buffer }[] = []
  const done = (async () => {
    for await (const entry of extract)
      out.push({ header: entry.header, body: await bytesOf(entry as unknown as Readable) })
  })()
  extract.end(gunzipSync(gz))
  await done
  return out
}

describe('writeBundle', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'squizzle-writer-'))
  })
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('is reproducible: the same entries give byte-identical bundles', async () => {
    const one = await write(entries)
    const two = await write(entries.map((e) => ({ ...e, source: Buffer.from(e.source as Uint8Array) })))
    expect(sha256(two)).toBe(sha256(one))
  })

  it('changes its bytes when the mtime option changes', async () => {
    expect(sha256(await write(entries, { mtime: 1 }))).not.toBe(sha256(await write(entries, { mtime: 0 })))
  })

  it('stamps every entry with SOURCE_DATE_EPOCH when no mtime is given', async () => {
    vi.stubEnv('SOURCE_DATE_EPOCH', '1700000000')
    try {
      const withEnv = await write(entries)
      for (const { header } of await tarEntries(withEnv)) expect(header.mtime?.getTime()).toBe(1_700_000_000_000)
      expect(sha256(await write(entries))).toBe(sha256(withEnv))
      expect(sha256(await write(entries, { mtime: 0 }))).not.toBe(sha256(withEnv))
    } finally {
      vi.unstubAllEnvs()
    }
  })

  it('uses mtime 0 without SOURCE_DATE_EPOCH, and lets the mtime option win over it', async () => {
    vi.stubEnv('SOURCE_DATE_EPOCH', '1700000000')
    try {
      for (const { header } of await tarEntries(await write(entries, { mtime: 42 })))
        expect(header.mtime?.getTime()).toBe(42_000)
    } finally {
      vi.unstubAllEnvs()
    }
    vi.stubEnv('SOURCE_DATE_EPOCH', undefined)
    try {
      for (const { header } of await tarEntries(await write(entries))) expect(header.mtime?.getTime()).toBe(0)
    } finally {
      vi.unstubAllEnvs()
    }
  })

  it('writes a gzip header without name or time and with OS byte 255', async () => {
    const gz = await write(entries)
    expect([gz[0], gz[1], gz[2]]).toEqual([0x1f, 0x8b, 8]) // magic, deflate
    expect(gz[3]).toBe(0) // FLG: no FNAME, FCOMMENT, FEXTRA
    expect(gz.readUInt32LE(4)).toBe(0) // MTIME
    expect(gz[9]).toBe(255) // OS: unknown
  })

  it('writes tar entries owned by uid/gid 0, without user names, mode 0644, regular files, in the order given', async () => {
    const found = await tarEntries(await write(entries, { mtime: 0 }))
    expect(found.map((e) => e.header.name)).toEqual(entries.map((e) => e.path))
    for (const [i, { header, body }] of found.entries()) {
      expect(header).toMatchObject({
        type: 'file',
        uid: 0,
        gid: 0,
        uname: '',
        gname: '',
        mode: 0o644,
        size: entries[i]!.size,
      })
      expect(body).toEqual(Buffer.from(entries[i]!.source as Uint8Array))
    }
  })

  it('streams entries from files on disk, giving the same bytes as from buffers', async () => {
    const fromFiles: BundleEntry[] = []
    for (const [i, e] of entries.entries()) {
      const file = join(dir, `${i}.sql`)
      await writeFile(file, e.source as Uint8Array)
      fromFiles.push({ path: e.path, size: e.size, source: { file } })
    }
    expect(sha256(await write(fromFiles))).toBe(sha256(await write(entries)))
  })

  it('streams a multi-megabyte file from disk', async () => {
    const big = Buffer.alloc(3 * 1024 * 1024 + 17, 'INSERT INTO t VALUES (1);\n')
    const file = join(dir, 'big.sql')
    await writeFile(file, big)
    const [only] = await tarEntries(await write([{ path: 'seed/big.sql', size: big.length, source: { file } }]))
    expect(sha256(only!.body)).toBe(sha256(big))
  })

  it('fails the stream when a file on disk is missing', async () => {
    const missing = { path: 'migrations/x.sql', size: 1, source: { file: join(dir, 'missing.sql') } }
    await expect(write([missing])).rejects.toMatchObject({ code: 'ENOENT' })
  })

  it('writes an empty bundle for no entries', async () => {
    expect(await tarEntries(await write([]))).toEqual([])
  })
})

describe('sourceDateEpoch', () => {
  it.each([
    [undefined, 0],
    ['1700000000', 1_700_000_000],
    ['0', 0],
    ['-5', 0],
    ['1.5', 0],
    ['soon', 0],
  ])('reads SOURCE_DATE_EPOCH=%j as %d', (value, expected) => {
    vi.stubEnv('SOURCE_DATE_EPOCH', value)
    try {
      expect(sourceDateEpoch()).toBe(expected)
    } finally {
      vi.unstubAllEnvs()
    }
  })
})

describe('writeBundle refuses bytes that are not what the build measured', () => {
  const drain = async (stream: NodeJS.ReadableStream): Promise<unknown> => {
    try {
      for await (const _chunk of stream) void _chunk
      return 'no error'
    } catch (err) {
      return (err as { code?: unknown }).code
    }
  }

  it('fails when a file on disk no longer matches its SHA-256 (edited mid-build)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sqz-writer-'))
    const file = join(dir, 'a.sql')
    writeFileSync(file, 'SELECT 2;')
    const stream = writeBundle([{ path: 'migrations/a.sql', size: 9, sha256: 'f'.repeat(64), source: { file } }])
    expect(await drain(stream)).toBe('BUNDLE_CORRUPT')
  })

  it('fails when a buffer is not the size the manifest will claim', async () => {
    const stream = writeBundle([{ path: 'migrations/a.sql', size: 99, source: Buffer.from('SELECT 1;') }])
    expect(await drain(stream)).toBe('BUNDLE_CORRUPT')
  })
})
