import { Readable } from 'node:stream'
import { buffer } from 'node:stream/consumers'
import { describe, expect, it } from 'vitest'
import { SquizzleError } from '../errors/squizzle-error.js'
import { makeTestVersion } from '../testing/fixtures.js'
import type { ContentTarget } from './content-target.js'
import type { Descriptor } from './descriptor.js'
import { copyVersion } from './copy-version.js'
import { readThroughCache } from './read-through-target.js'
import { createTargetStorage } from './target-storage.js'

/** An in-memory CAS with tags that counts what was fetched from it. */
function memoryTarget(name: string): ContentTarget & { blobs: Map<string, Buffer>; fetched: string[] } {
  const blobs = new Map<string, Buffer>()
  const tagged = new Map<string, Descriptor>()
  const fetched: string[] = []
  return {
    name,
    blobs,
    fetched,
    fetch: async (d) => {
      fetched.push(d.digest)
      return Readable.from([blobs.get(d.digest) ?? Buffer.alloc(0)])
    },
    push: async (d, c) =>
      void blobs.set(d.digest, Buffer.isBuffer(c) || c instanceof Uint8Array ? Buffer.from(c) : await buffer(c)),
    exists: async (d) => blobs.has(d.digest),
    resolve: async (r) => {
      const d = tagged.get(r)
      if (!d) throw new SquizzleError('VERSION_NOT_FOUND', `${r} is not in ${name}`)
      return d
    },
    tag: async (d, r) => void tagged.set(r, d),
    tags: async function* () {
      yield* tagged.keys()
    },
  }
}

async function registryWithVersion() {
  const registry = memoryTarget('registry')
  await createTargetStorage(registry).push(await makeTestVersion('1.0.0'))
  return registry
}

describe('readThroughCache', () => {
  it('reads content the cache holds from the cache, and everything else from the remote', async () => {
    const registry = await registryWithVersion()
    const layout = memoryTarget('layout')
    await copyVersion(registry, layout, '1.0.0') // what `squizzle pull` does
    registry.fetched.length = 0
    const pulled = await createTargetStorage(readThroughCache(registry, layout)).pull('1.0.0')
    await buffer(pulled.open())
    expect(registry.fetched).toEqual([])
    expect(layout.fetched).toContain(pulled.ref.bundleDigest)

    const empty = memoryTarget('empty layout')
    const uncached = await createTargetStorage(readThroughCache(registry, empty)).pull('1.0.0')
    await buffer(uncached.open())
    expect(registry.fetched).toContain(uncached.ref.bundleDigest)
  })

  it('resolves tags on the remote only, so a tag re-pointed there is what the caller sees', async () => {
    const registry = await registryWithVersion()
    const layout = memoryTarget('layout')
    await copyVersion(registry, layout, '1.0.0')
    const moved: Descriptor = { ...(await registry.resolve('1.0.0')), digest: `sha256:${'c'.repeat(64)}` }
    await registry.tag(moved, '1.0.0')
    expect((await readThroughCache(registry, layout).resolve('1.0.0')).digest).toBe(moved.digest)
  })

  it('fails loudly on corrupt cached bytes instead of trusting them', async () => {
    const registry = await registryWithVersion()
    const layout = memoryTarget('layout')
    await copyVersion(registry, layout, '1.0.0')
    const pulled = await createTargetStorage(readThroughCache(registry, layout)).pull('1.0.0')
    layout.blobs.set(pulled.ref.bundleDigest, Buffer.from('not the bundle'))
    await expect(buffer(pulled.open())).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' })
  })

  it('writes to the remote only', async () => {
    const registry = memoryTarget('registry')
    const layout = memoryTarget('layout')
    await createTargetStorage(readThroughCache(registry, layout)).push(await makeTestVersion('1.0.0'))
    expect(registry.blobs.size).toBeGreaterThan(0)
    expect(layout.blobs.size).toBe(0)
  })
})
