import { describe, expect, it } from 'vitest'
import { SquizzleError } from '../errors/squizzle-error.js'
import { memoryTarget } from '../test-support/memory-target.js'
import { makeTestVersion } from '../testing/fixtures.js'
import type { ContentTarget } from './content-target.js'
import { createTargetStorage } from './target-storage.js'

/**
 * A registry-like view of `inner`: no one-read index (`resolveTags`), and every resolve and
 * fetch takes a turn of the event loop, counting how many are in flight at once.
 */
function registryLike(inner: ContentTarget) {
  const seen = { inFlight: 0, most: 0, calls: 0 }
  const slow =
    <A extends unknown[], R>(call: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      seen.calls++
      seen.most = Math.max(seen.most, ++seen.inFlight)
      try {
        await new Promise((resolve) => setTimeout(resolve, 2))
        return await call(...args)
      } finally {
        seen.inFlight--
      }
    }
  const target: ContentTarget = {
    ...inner,
    resolveTags: undefined,
    resolve: slow((reference: string) => inner.resolve(reference)),
    fetch: slow((desc: Parameters<ContentTarget['fetch']>[0]) => inner.fetch(desc)),
  }
  delete target.resolveTags
  return { target, seen }
}

async function storedVersions(count: number) {
  const inner = memoryTarget('registry')
  const storage = createTargetStorage(inner)
  for (let i = 1; i <= count; i++) await storage.push(await makeTestVersion(`1.${i}.0`))
  return inner
}

describe('list on a target without a one-read index', () => {
  it('resolves tags and reads manifests a few at a time, never more than eight, in version order', async () => {
    const inner = await storedVersions(20)
    const expected = await createTargetStorage(inner).list()
    const { target, seen } = registryLike(inner)
    const listed = await createTargetStorage(target).list()
    expect(listed).toEqual(expected)
    expect(listed.map((v) => v.version)).toEqual(Array.from({ length: 20 }, (_, i) => `1.${i + 1}.0`))
    expect(seen.most).toBeGreaterThan(1)
    expect(seen.most).toBeLessThanOrEqual(8)
    expect(seen.inFlight).toBe(0)
  })

  it('reports the failure of the earliest tag and leaves nothing running', async () => {
    const inner = await storedVersions(12)
    const { target, seen } = registryLike(inner)
    const resolve = target.resolve
    target.resolve = async (reference) => {
      // 1.9.0 fails first in time, 1.3.0 later: the earlier tag's failure is the one reported.
      if (reference === '1.3.0') await new Promise((done) => setTimeout(done, 30))
      if (reference === '1.3.0' || reference === '1.9.0') throw new SquizzleError('VERSION_NOT_FOUND', reference)
      return resolve(reference)
    }
    await expect(createTargetStorage(target).list()).rejects.toThrow(/^1\.3\.0$/)
    expect(seen.inFlight).toBe(0)
  })
})
