import { Readable } from 'node:stream'
import { buffer } from 'node:stream/consumers'
import { describe, expect, it } from 'vitest'
import { SquizzleError } from '../errors/squizzle-error.js'
import { makeTestVersion } from '../testing/fixtures.js'
import type { ContentTarget } from './content-target.js'
import type { Descriptor } from './descriptor.js'
import { copyVersion } from './copy-version.js'
import { createTargetStorage } from './target-storage.js'

/**
 * An in-memory CAS whose pushes take a moment, as uploads to a registry do, and which
 * records every push of content it already held or was already receiving: the overlap in
 * which a real registry (docker-registry rewrites a blob's link on each upload) may refuse a
 * manifest that names the blob.
 */
function slowTarget(): ContentTarget & { pushes: string[]; overlapping: string[] } {
  const stored = new Map<string, Buffer>()
  const receiving = new Set<string>()
  const tagged = new Map<string, Descriptor>()
  const pushes: string[] = []
  const overlapping: string[] = []
  return {
    name: 'slow',
    pushes,
    overlapping,
    fetch: async (d) => Readable.from([stored.get(d.digest) ?? Buffer.alloc(0)]),
    push: async (d, content) => {
      pushes.push(d.digest)
      if (receiving.has(d.digest)) overlapping.push(d.digest)
      receiving.add(d.digest)
      const bytes = content instanceof Uint8Array ? Buffer.from(content) : await buffer(content)
      await new Promise((resolve) => setTimeout(resolve, 20))
      stored.set(d.digest, bytes)
      receiving.delete(d.digest)
    },
    exists: async (d) => stored.has(d.digest),
    resolve: async (reference) => {
      const d = tagged.get(reference)
      if (!d) throw new SquizzleError('VERSION_NOT_FOUND', `${reference} is not here`)
      return d
    },
    tag: async (d, reference) => void tagged.set(reference, d),
    tags: async function* () {
      yield* tagged.keys()
    },
  }
}

describe('copyVersion', () => {
  it('copies a blob that several attachments share once, never two uploads of it at once', async () => {
    const source = slowTarget()
    const storage = createTargetStorage(source)
    const ref = await storage.push(await makeTestVersion('1.0.0'))
    // Attachments are OCI artifacts with the empty config: the SBOM, provenance and signature share it.
    const types = ['provenance', 'sbom', 'signature'].map((name) => `application/vnd.test.${name}`)
    for (const artifactType of types) {
      await storage.attach!(ref, {
        artifactType,
        mediaType: 'application/json',
        data: Buffer.from(`"${artifactType}"`),
      })
    }
    const destination = slowTarget()
    await copyVersion(source, destination, '1.0.0')
    expect(destination.overlapping).toEqual([])
    expect(new Set(destination.pushes).size).toBe(destination.pushes.length)
    const copied = createTargetStorage(destination)
    const attached = await copied.attachments!((await copied.pull('1.0.0')).ref)
    expect(attached.map((a) => a.artifactType).sort()).toEqual(types)
  })
})
