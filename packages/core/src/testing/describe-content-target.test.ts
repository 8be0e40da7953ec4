import { describe, expect, it } from 'vitest'
import type { ContentTarget } from '../oci/content-target.js'
import { readThroughCache } from '../oci/read-through-target.js'
import { memoryTarget, type MemoryTarget } from '../test-support/memory-target.js'
import { describeContentTarget } from './describe-content-target.js'
import { contentTargetChecks } from './target-suite/checks.js'

describeContentTarget('the in-memory reference target', async () => ({ target: memoryTarget() }))
describeContentTarget('a read-through cache over in-memory targets', async () => ({
  target: readThroughCache(memoryTarget('remote'), memoryTarget('cache')),
}))

/** Names of the checks a target fails. */
async function failedChecks(make: () => ContentTarget): Promise<string[]> {
  const failed: string[] = []
  for (const check of contentTargetChecks) {
    const target = make()
    if (check.applies?.(target) === false) continue
    await check.run(target).catch(() => failed.push(check.name))
  }
  return failed
}

/** The reference target with some methods replaced; `change` gets the original to build on. */
function broken(change: (original: MemoryTarget) => Partial<ContentTarget>): () => ContentTarget {
  return () => {
    const original = memoryTarget('broken')
    return { ...original, ...change(original) }
  }
}

describe('the ContentTarget conformance suite', () => {
  it('passes the reference target', async () => {
    expect(await failedChecks(() => memoryTarget())).toEqual([])
  })

  it('catches resolve(digest) answering with another manifest', async () => {
    const failed = await failedChecks(
      broken((t) => ({
        resolve: async (reference) =>
          reference.startsWith('sha256:') ? [...t.manifests.values()][0]! : t.resolve(reference),
      })),
    )
    expect(failed).toContain('resolves a pushed manifest by its digest to its own descriptor')
  })

  it('catches a push that stores whatever it is given', async () => {
    const failed = await failedChecks(
      broken((t) => ({
        push: async (desc, content) => {
          const bytes = content instanceof Uint8Array ? Buffer.from(content) : Buffer.concat(await content.toArray())
          t.blobs.set(desc.digest, bytes)
        },
      })),
    )
    expect(failed).toContain('refuses content that does not match its descriptor with DIGEST_MISMATCH, storing nothing')
  })

  it('catches a tag that names a manifest it never stored', async () => {
    const failed = await failedChecks(
      broken((t) => ({ tag: async (desc, reference) => void t.tagged.set(reference, desc) })),
    )
    expect(failed).toContain('refuses to tag a manifest it does not hold, leaving no tag')
  })

  it('catches tags listed twice, and a delete that keeps the tag', async () => {
    const duplicates = await failedChecks(
      broken((t) => ({
        tags: async function* () {
          yield* t.tagged.keys()
          yield* t.tagged.keys()
        },
      })),
    )
    expect(duplicates).toContain('lists every tag once, in any order')
    const keepsTag = await failedChecks(broken((t) => ({ delete: async (desc) => void t.blobs.delete(desc.digest) })))
    expect(keepsTag).toContain('deletes a manifest and the tags naming it (when it offers delete)')
  })

  it('catches a target whose calls must not overlap', async () => {
    const failed = await failedChecks(
      broken((t) => {
        let busy = false
        const exclusive = async (
          desc: Parameters<ContentTarget['push']>[0],
          content: Parameters<ContentTarget['push']>[1],
        ) => {
          if (busy) throw new Error('one push at a time')
          busy = true
          try {
            await new Promise((resolve) => setTimeout(resolve, 5))
            await t.push(desc, content)
          } finally {
            busy = false
          }
        }
        return { push: exclusive }
      }),
    )
    expect(failed).toEqual([expect.stringMatching(/^allows 8 pushes and fetches at once/)])
  })
})
