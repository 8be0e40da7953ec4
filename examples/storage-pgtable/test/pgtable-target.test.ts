import { createHash } from 'node:crypto'
import { Readable } from 'node:stream'
import { createTestDatabase, query } from '@squizzle/testkit'
import { isSquizzleError } from '@squizzle/core'
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest'
import { optionsFromUrl, PgTableTarget } from '../src/index.js'

let url: string
const opened: PgTableTarget[] = []
const open = (options: { schema?: string; chunkBytes?: number } = {}) => {
  const target = new PgTableTarget({ url, schema: 'store', ...options })
  opened.push(target)
  return target
}
const blob = (bytes: Buffer, mediaType = 'application/octet-stream') => ({
  mediaType,
  digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`,
  size: bytes.byteLength,
})
const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'no error',
    (e: unknown) => (isSquizzleError(e) ? e.code : String(e)),
  )
const read = async (stream: Readable) => Buffer.concat(await stream.toArray())

beforeEach(async () => {
  url = await createTestDatabase(inject('postgresUrl'), 'pgtable')
})
afterEach(async () => {
  await Promise.all(opened.splice(0).map((t) => t.close()))
})

describe('PgTableTarget', () => {
  it('reads a store that was never written to as empty, and creates nothing by reading', async () => {
    const target = open()
    expect(await target.exists(blob(Buffer.from('x')))).toBe(false)
    expect(await codeOf(target.resolve('1.0.0'))).toBe('VERSION_NOT_FOUND')
    expect(await codeOf(target.fetch(blob(Buffer.from('x'))))).toBe('VERSION_NOT_FOUND')
    for await (const tag of target.tags()) expect.unreachable(`no tags expected, got ${tag}`)
    expect(await query(url, "SELECT to_regnamespace('store') AS s")).toEqual([{ s: null }])
  })

  it('streams a blob in and out chunk by chunk, and stores it once', async () => {
    const target = open({ chunkBytes: 1024 })
    const bytes = Buffer.from(Array.from({ length: 10_000 }, (_, i) => (i * 7) % 256))
    const desc = blob(bytes)
    await target.push(desc, Readable.from([bytes.subarray(0, 3000), bytes.subarray(3000)]))
    await target.push(desc, bytes)
    expect(await read(await target.fetch(desc))).toEqual(bytes)
    expect(await query(url, 'SELECT count(*)::int AS chunks, max(length(data)) AS largest FROM store.chunks')).toEqual([
      { chunks: 10, largest: 1024 },
    ])
  })

  it('refuses bytes that differ from the descriptor, storing nothing', async () => {
    const target = open({ chunkBytes: 1024 })
    const desc = blob(Buffer.alloc(4096, 1))
    expect(await codeOf(target.push(desc, Buffer.alloc(4096, 2)))).toBe('DIGEST_MISMATCH')
    expect(await codeOf(target.push(desc, Buffer.alloc(5000, 1)))).toBe('DIGEST_MISMATCH')
    expect(await codeOf(target.push({ ...desc, digest: 'sha256:../../etc' }, Buffer.alloc(1)))).toBe('DIGEST_MISMATCH')
    expect(await target.exists(desc)).toBe(false)
    expect(await query(url, 'SELECT count(*)::int AS n FROM store.chunks')).toEqual([{ n: 0 }])
  })

  it('lets two stores push the same first content at once (tables created once, content stored once)', async () => {
    const bytes = Buffer.from('{"schemaVersion":2}')
    const desc = blob(bytes, 'application/vnd.oci.image.manifest.v1+json')
    await Promise.all([open().push(desc, bytes), open().push(desc, bytes), open().push(desc, bytes)])
    await open().tag(desc, '1.0.0')
    expect(await open().resolve('1.0.0')).toEqual(desc)
    expect(await query(url, 'SELECT count(*)::int AS n FROM store.blobs')).toEqual([{ n: 1 }])
  })

  it('resolves digests of manifests only, and tags only stored manifests', async () => {
    const target = open()
    const layer = blob(Buffer.from('layer bytes'))
    await target.push(layer, Buffer.from('layer bytes'))
    expect(await codeOf(target.resolve(layer.digest))).toBe('VERSION_NOT_FOUND')
    expect(await codeOf(target.tag(layer, '1.0.0'))).toBe('STORAGE_ERROR')
    expect(
      await codeOf(target.tag(blob(Buffer.from('absent'), 'application/vnd.oci.image.manifest.v1+json'), '1.0.0')),
    ).toBe('STORAGE_ERROR')
    expect(await codeOf(target.tag(layer, 'not a tag'))).toBe('USAGE')
  })

  it('keeps the password out of its name and its errors', async () => {
    const secret = 'pgtable-secret-pw'
    const target = new PgTableTarget({ url: `postgres://nobody:${secret}@127.0.0.1:1/none`, schema: 'store' })
    opened.push(target)
    expect(target.name).toBe('pgtable://nobody@127.0.0.1:1/none?schema=store')
    const err = await target.push(blob(Buffer.from('x')), Buffer.from('x')).then(
      () => null,
      (e: unknown) => e,
    )
    expect(isSquizzleError(err) && err.code).toBe('STORAGE_ERROR')
    expect(JSON.stringify(err) + String((err as Error).message)).not.toContain(secret)
  })
})

describe('optionsFromUrl', () => {
  it('reads pgtable://… as the postgres:// URL it stands for, with ?schema= as the schema', () => {
    expect(optionsFromUrl(new URL('pgtable://app:p%40ss@db:5432/releases?schema=store&sslmode=require'))).toEqual({
      url: 'postgres://app:p%40ss@db:5432/releases?sslmode=require',
      schema: 'store',
    })
    expect(optionsFromUrl(new URL('pgtable://db/releases'))).toEqual({ url: 'postgres://db/releases' })
  })
})
