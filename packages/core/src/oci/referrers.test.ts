import { Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { SquizzleError } from '../errors/squizzle-error.js'
import type { ContentTarget } from './content-target.js'
import type { Descriptor } from './descriptor.js'
import { mediaTypes } from './media-types.js'
import { addReferrer, readReferrers, referrersTag } from './referrers.js'

const subject = `sha256:${'a'.repeat(64)}`
const sbom: Descriptor = {
  mediaType: mediaTypes.imageManifest,
  digest: `sha256:${'b'.repeat(64)}`,
  size: 10,
  artifactType: 'application/vnd.cyclonedx+json',
}

/** An in-memory target; `indexed` plays a registry's referrers API (null: no such API). */
function memoryTarget(
  indexed: Descriptor[] | null,
): ContentTarget & { blobs: Map<string, Buffer>; tagged: Map<string, Descriptor> } {
  const blobs = new Map<string, Buffer>()
  const tagged = new Map<string, Descriptor>()
  return {
    name: 'memory',
    blobs,
    tagged,
    fetch: async (d) => Readable.from([blobs.get(d.digest) ?? Buffer.alloc(0)]),
    push: async (d, c) => void blobs.set(d.digest, Buffer.from(c as Uint8Array)),
    exists: async (d) => blobs.has(d.digest),
    resolve: async (r) => {
      const d = tagged.get(r)
      if (!d) throw new SquizzleError('VERSION_NOT_FOUND', `${r} is not in memory`)
      return d
    },
    tag: async (d, r) => void tagged.set(r, d),
    tags: async function* () {
      yield* tagged.keys()
    },
    ...(indexed === null ? {} : { referrers: async () => indexed }),
  }
}

describe('referrers over a ContentTarget', () => {
  it("reads from the target's referrers API when it has one, and writes no fallback tag for what it lists", async () => {
    const target = memoryTarget([sbom])
    expect((await readReferrers(target, subject)).manifests).toEqual([sbom])
    await addReferrer(target, subject, sbom)
    expect(target.tagged.has(referrersTag(subject))).toBe(false)
  })

  it('falls back to the sha256-<hex> tag index when the target has no referrers API', async () => {
    const target = memoryTarget(null)
    await addReferrer(target, subject, sbom)
    expect(target.tagged.has(referrersTag(subject))).toBe(true)
    expect((await readReferrers(target, subject)).manifests).toEqual([sbom])
  })
})
