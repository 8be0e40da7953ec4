import { Readable } from 'node:stream'
import { SquizzleError, type ContentTarget, type Descriptor } from '@squizzle/core'
import { readSmall } from '@squizzle/core/oci'

/**
 * A content-addressable store in memory: the smallest real ContentTarget, so
 * policy tests run core's own attach/attachments code without a storage plugin.
 *
 * @example
 * ```ts
 * const storage = createTargetStorage(new MemoryTarget())
 * ```
 */
export class MemoryTarget implements ContentTarget {
  readonly name = 'memory'
  readonly blobs = new Map<string, Buffer>()
  readonly refs = new Map<string, Descriptor>()

  async fetch(desc: Descriptor): Promise<Readable> {
    const bytes = this.blobs.get(desc.digest)
    if (!bytes) throw new SquizzleError('STORAGE_ERROR', `no blob ${desc.digest}`)
    return Readable.from([bytes])
  }

  async push(desc: Descriptor, content: Readable | Uint8Array): Promise<void> {
    this.blobs.set(
      desc.digest,
      content instanceof Uint8Array ? Buffer.from(content) : await readSmall(content, 1 << 26, desc.digest),
    )
  }

  async exists(desc: Descriptor): Promise<boolean> {
    return this.blobs.has(desc.digest)
  }

  async resolve(reference: string): Promise<Descriptor> {
    const desc = this.refs.get(reference)
    if (!desc) throw new SquizzleError('VERSION_NOT_FOUND', `no ${reference}`)
    return desc
  }

  async tag(desc: Descriptor, reference: string): Promise<void> {
    this.refs.set(reference, desc)
  }

  async *tags(): AsyncIterable<string> {
    yield* this.refs.keys()
  }
}
