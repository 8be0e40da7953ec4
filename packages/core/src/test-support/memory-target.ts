import { Readable } from 'node:stream'
import { buffer } from 'node:stream/consumers'
import { SquizzleError } from '../errors/squizzle-error.js'
import type { ContentTarget } from '../oci/content-target.js'
import type { Descriptor } from '../oci/descriptor.js'
import { assertDigest } from '../oci/digest.js'
import { mediaTypes } from '../oci/media-types.js'

const manifestTypes = new Set<string>([mediaTypes.imageManifest, mediaTypes.imageIndex])

/** The in-memory reference target: its blobs, manifests and tags are visible for tests to break. */
export interface MemoryTarget extends ContentTarget {
  readonly blobs: Map<string, Buffer>
  readonly manifests: Map<string, Descriptor>
  readonly tagged: Map<string, Descriptor>
}

/**
 * A ContentTarget held in memory that meets the whole contract: the reference the
 * conformance suite is proven against (and the base of the broken targets it must catch).
 *
 * @example
 * ```ts
 * const target = memoryTarget()
 * await target.push(desc, bytes)
 * ```
 */
export function memoryTarget(name = 'memory'): MemoryTarget {
  const held: Held = { blobs: new Map(), manifests: new Map(), tagged: new Map() }
  const missing = (what: string) => new SquizzleError('VERSION_NOT_FOUND', `${what} is not in ${name}`)
  return { name, ...held, ...reading(held, missing), ...writing(held, name, missing) }
}

type Held = Pick<MemoryTarget, 'blobs' | 'manifests' | 'tagged'>
type Missing = (what: string) => SquizzleError

function reading(held: Held, missing: Missing): Pick<ContentTarget, 'fetch' | 'exists' | 'resolve' | 'tags'> {
  const { blobs, manifests, tagged } = held
  return {
    async fetch(desc) {
      const bytes = blobs.get(desc.digest)
      if (!bytes) throw missing(desc.digest)
      return Readable.from([bytes])
    },
    async exists(desc) {
      return blobs.has(desc.digest)
    },
    async resolve(reference) {
      const desc = reference.startsWith('sha256:') ? manifests.get(reference) : tagged.get(reference)
      if (!desc) throw missing(reference)
      return desc
    },
    async *tags() {
      yield* tagged.keys()
    },
  }
}

function writing(held: Held, name: string, missing: Missing): Pick<ContentTarget, 'push' | 'tag' | 'delete'> {
  const { blobs, manifests, tagged } = held
  return {
    async push(desc, content) {
      const bytes = content instanceof Uint8Array ? Buffer.from(content) : await buffer(content)
      assertDigest(desc, bytes, `content pushed to ${name}`)
      blobs.set(desc.digest, bytes)
      if (manifestTypes.has(desc.mediaType)) manifests.set(desc.digest, { ...desc })
    },
    async tag(desc, reference) {
      const stored = manifests.get(desc.digest)
      if (!stored) throw missing(desc.digest)
      tagged.set(reference, stored)
    },
    async delete(desc) {
      if (!manifests.delete(desc.digest)) throw missing(desc.digest)
      blobs.delete(desc.digest)
      for (const [tag, d] of tagged) if (d.digest === desc.digest) tagged.delete(tag)
    },
  }
}
