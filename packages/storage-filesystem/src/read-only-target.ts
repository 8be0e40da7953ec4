import type { Readable } from 'node:stream'
import { SquizzleError, type ContentTarget, type Descriptor } from '@squizzle/core'

/**
 * `target` without writes, under another name: what is read from an archive must
 * reach a destination only through a copy, never be changed in place.
 *
 * @example
 * ```ts
 * const archive = readOnlyTarget(new OciLayoutTarget(extracted), 'oci-archive:/media/usb/db.tar')
 * ```
 */
export function readOnlyTarget(target: ContentTarget, name: string): ContentTarget {
  return new ReadOnlyTarget(target, name)
}

class ReadOnlyTarget implements ContentTarget {
  constructor(
    private readonly inner: ContentTarget,
    readonly name: string,
  ) {}

  fetch(desc: Descriptor): Promise<Readable> {
    return this.inner.fetch(desc)
  }

  async push(_desc: Descriptor, content: Readable | Uint8Array): Promise<void> {
    if (!(content instanceof Uint8Array)) content.destroy()
    throw readOnly(this.name)
  }

  exists(desc: Descriptor): Promise<boolean> {
    return this.inner.exists(desc)
  }

  resolve(reference: string): Promise<Descriptor> {
    return this.inner.resolve(reference)
  }

  async tag(): Promise<void> {
    throw readOnly(this.name)
  }

  tags(): AsyncIterable<string> {
    return this.inner.tags()
  }
}

function readOnly(name: string): SquizzleError {
  return new SquizzleError('STORAGE_UNSUPPORTED', `${name} is read-only`, {
    hint: 'Import the versions into a writable storage first.',
    remedies: [{ operation: 'import', args: ['<file>'] }],
  })
}
