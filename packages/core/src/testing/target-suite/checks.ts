import { expect } from 'vitest'
import { isSquizzleError } from '../../errors/squizzle-error.js'
import type { ContentTarget } from '../../oci/content-target.js'
import { fetchAll, identity, pushArtifact, sampleArtifact, streamOf } from './sample-content.js'

/** One requirement of the {@link ContentTarget} contract, runnable against any target. */
export interface ContentTargetCheck {
  /** What it requires, as a specification sentence. */
  name: string
  /** False when the requirement is about an optional method the target does not offer (the check is skipped). */
  applies?(target: ContentTarget): boolean
  /** Throws (an assertion error) when `target`, fresh and empty, does not meet it. */
  run(target: ContentTarget): Promise<void>
}

/** How many pushes and fetches the concurrency check runs at once (core copies a version's blobs in parallel). */
export const concurrentCalls = 8

async function codeOf(promise: Promise<unknown>): Promise<string | null> {
  return promise.then(
    () => null,
    (e: unknown) => (isSquizzleError(e) ? e.code : `not a SquizzleError: ${String(e)}`),
  )
}

const storing: ContentTargetCheck[] = [
  {
    name: 'stores pushed content: exists() turns true and fetch() returns the same bytes',
    async run(target) {
      const a = sampleArtifact('stores')
      expect(await target.exists(a.layer.desc)).toBe(false)
      await pushArtifact(target, a)
      for (const part of [a.config, a.layer, a.manifest]) {
        expect(await target.exists(part.desc)).toBe(true)
        expect((await fetchAll(target, part.desc)).equals(part.bytes)).toBe(true)
      }
    },
  },
  {
    name: 'accepts content streamed as a Readable like the same bytes in memory',
    async run(target) {
      const a = sampleArtifact('streamed')
      await target.push(a.config.desc, streamOf(a.config.bytes))
      await target.push(a.layer.desc, streamOf(a.layer.bytes))
      await target.push(a.manifest.desc, streamOf(a.manifest.bytes))
      expect((await fetchAll(target, a.layer.desc)).equals(a.layer.bytes)).toBe(true)
      expect(identity(await target.resolve(a.manifest.desc.digest))).toEqual(identity(a.manifest.desc))
    },
  },
  {
    name: 'treats a push of content it already holds as a no-op success',
    async run(target) {
      const a = sampleArtifact('twice')
      await pushArtifact(target, a)
      await target.tag(a.manifest.desc, 'twice')
      await pushArtifact(target, a)
      expect((await fetchAll(target, a.layer.desc)).equals(a.layer.bytes)).toBe(true)
      expect(identity(await target.resolve('twice'))).toEqual(identity(a.manifest.desc))
    },
  },
  {
    name: 'refuses content that does not match its descriptor with DIGEST_MISMATCH, storing nothing',
    async run(target) {
      const a = sampleArtifact('wrong')
      const flipped = Buffer.from(a.layer.bytes)
      flipped[10] = (flipped[10] ?? 0) ^ 0xff
      expect(await codeOf(target.push(a.layer.desc, flipped))).toBe('DIGEST_MISMATCH')
      expect(await codeOf(target.push(a.layer.desc, streamOf(flipped)))).toBe('DIGEST_MISMATCH')
      expect(await target.exists(a.layer.desc)).toBe(false)
      const longer = Buffer.concat([a.layer.bytes, Buffer.from('x')])
      expect(await codeOf(target.push(a.layer.desc, longer))).toBe('DIGEST_MISMATCH')
      expect(await target.exists(a.layer.desc)).toBe(false)
    },
  },
  {
    name: 'throws VERSION_NOT_FOUND when fetching content it does not hold',
    async run(target) {
      const a = sampleArtifact('missing')
      expect(await codeOf(fetchAll(target, a.layer.desc))).toBe('VERSION_NOT_FOUND')
      expect(await codeOf(fetchAll(target, a.manifest.desc))).toBe('VERSION_NOT_FOUND')
    },
  },
]

const naming: ContentTargetCheck[] = [
  {
    name: 'resolves a pushed manifest by its digest to its own descriptor',
    async run(target) {
      const [one, two] = [sampleArtifact('digest one'), sampleArtifact('digest two')]
      await pushArtifact(target, one)
      await pushArtifact(target, two)
      expect(identity(await target.resolve(one.manifest.desc.digest))).toEqual(identity(one.manifest.desc))
      expect(identity(await target.resolve(two.manifest.desc.digest))).toEqual(identity(two.manifest.desc))
      expect(await codeOf(target.resolve(sampleArtifact('never pushed').manifest.desc.digest))).toBe(
        'VERSION_NOT_FOUND',
      )
    },
  },
  {
    name: 'resolves a tag to the manifest it points at, and moves a tag that is tagged again',
    async run(target) {
      const [one, two] = [sampleArtifact('tag one'), sampleArtifact('tag two')]
      expect(await codeOf(target.resolve('1.0.0'))).toBe('VERSION_NOT_FOUND')
      await pushArtifact(target, one)
      await pushArtifact(target, two)
      await target.tag(one.manifest.desc, '1.0.0')
      await target.tag(two.manifest.desc, '1.1.0')
      expect(identity(await target.resolve('1.0.0'))).toEqual(identity(one.manifest.desc))
      expect(identity(await target.resolve('1.1.0'))).toEqual(identity(two.manifest.desc))
      await target.tag(two.manifest.desc, '1.0.0')
      expect(identity(await target.resolve('1.0.0'))).toEqual(identity(two.manifest.desc))
    },
  },
  {
    name: 'refuses to tag a manifest it does not hold, leaving no tag',
    async run(target) {
      const a = sampleArtifact('untagged')
      await target.push(a.config.desc, a.config.bytes)
      await target.push(a.layer.desc, a.layer.bytes)
      expect(await codeOf(target.tag(a.manifest.desc, '2.0.0'))).toBe('VERSION_NOT_FOUND')
      expect(await codeOf(target.resolve('2.0.0'))).toBe('VERSION_NOT_FOUND')
    },
  },
  {
    name: 'lists every tag once, in any order',
    async run(target) {
      const collect = async () => {
        const tags: string[] = []
        for await (const tag of target.tags()) tags.push(tag)
        return tags.sort()
      }
      expect(await collect()).toEqual([])
      const [one, two] = [sampleArtifact('list one'), sampleArtifact('list two')]
      await pushArtifact(target, one)
      await pushArtifact(target, two)
      for (const tag of ['1.0.0', '1.1.0', 'latest']) await target.tag(one.manifest.desc, tag)
      await target.tag(two.manifest.desc, '1.1.0')
      expect(await collect()).toEqual(['1.0.0', '1.1.0', 'latest'])
    },
  },
]

const optional: ContentTargetCheck[] = [
  {
    name: 'deletes a manifest and the tags naming it (when it offers delete)',
    applies: (target) => target.delete !== undefined,
    async run(target) {
      if (!target.delete) return
      const [one, two] = [sampleArtifact('delete one'), sampleArtifact('delete two')]
      await pushArtifact(target, one)
      await pushArtifact(target, two)
      await target.tag(one.manifest.desc, '1.0.0')
      await target.tag(two.manifest.desc, '1.1.0')
      const refused = await codeOf(target.delete(one.manifest.desc))
      if (refused === 'STORAGE_UNSUPPORTED') return
      expect(refused).toBeNull()
      expect(await codeOf(target.resolve('1.0.0'))).toBe('VERSION_NOT_FOUND')
      expect(identity(await target.resolve('1.1.0'))).toEqual(identity(two.manifest.desc))
      const tags: string[] = []
      for await (const tag of target.tags()) tags.push(tag)
      expect(tags).toEqual(['1.1.0'])
    },
  },
  {
    name: 'lists the manifests whose subject is a manifest, or says it keeps no such index (when it offers referrers)',
    applies: (target) => target.referrers !== undefined,
    async run(target) {
      if (!target.referrers) return
      const subject = sampleArtifact('subject')
      await pushArtifact(target, subject)
      const attachment = sampleArtifact('attachment', subject.manifest.desc)
      await pushArtifact(target, attachment)
      const listed = await target.referrers(subject.manifest.desc.digest)
      if (listed === null) return
      expect(listed.map((d) => d.digest)).toEqual([attachment.manifest.desc.digest])
      expect(listed[0]?.artifactType).toBe('application/vnd.squizzle.conformance.v1')
    },
  },
]

const concurrency: ContentTargetCheck[] = [
  {
    name: `allows ${concurrentCalls} pushes and fetches at once, the same content pushed twice at once included`,
    async run(target) {
      const artifacts = Array.from({ length: concurrentCalls - 1 }, (_, i) => sampleArtifact(`concurrent ${i}`))
      const layers = [...artifacts.map((a) => a.layer), artifacts[0]!.layer]
      await Promise.all(layers.map((l) => target.push(l.desc, streamOf(l.bytes))))
      const fetched = await Promise.all(layers.map((l) => fetchAll(target, l.desc)))
      expect(fetched.every((bytes, i) => bytes.equals(layers[i]!.bytes))).toBe(true)
      await Promise.all([artifacts[0]!, artifacts[1]!].map((a) => target.push(a.config.desc, a.config.bytes)))
      await Promise.all(artifacts.map((a) => target.push(a.manifest.desc, a.manifest.bytes)))
      const resolved = await Promise.all(artifacts.map((a) => target.resolve(a.manifest.desc.digest)))
      expect(resolved.map(identity)).toEqual(artifacts.map((a) => identity(a.manifest.desc)))
    },
  },
]

/**
 * Every requirement of the {@link ContentTarget} contract, in the order
 * `describeContentTarget` runs them. Each runs on a fresh, empty target.
 */
export const contentTargetChecks: readonly ContentTargetCheck[] = [...storing, ...naming, ...optional, ...concurrency]
