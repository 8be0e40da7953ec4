import type { Readable } from 'node:stream'
import { SquizzleError } from '@squizzle/core'

/**
 * Cuts a stream into consecutive pieces of exact sizes without copying: each
 * piece is itself streamed (the source's own buffers, sliced), so a chunked
 * upload holds no chunk in memory.
 */
export class ByteTaker {
  private readonly chunks: AsyncIterator<Buffer>
  private leftover: Buffer | undefined

  constructor(
    stream: Readable,
    private readonly what: string,
  ) {
    this.chunks = (stream as AsyncIterable<Buffer>)[Symbol.asyncIterator]()
  }

  /** The next `size` bytes, as they arrive. Fails with `DIGEST_MISMATCH` if the source ends first. */
  async *take(size: number): AsyncGenerator<Buffer> {
    let left = size
    while (left > 0) {
      const chunk = await this.next()
      if (!chunk) throw this.sizeError(`ended ${left} bytes early`)
      if (chunk.length > left) {
        this.leftover = chunk.subarray(left)
        yield chunk.subarray(0, left)
        return
      }
      left -= chunk.length
      yield chunk
    }
  }

  /** Reads the next `size` bytes into one buffer (for small content). */
  async read(size: number): Promise<Buffer> {
    const parts: Buffer[] = []
    for await (const part of this.take(size)) parts.push(part)
    return Buffer.concat(parts, size)
  }

  /** Throws `DIGEST_MISMATCH` unless the source has nothing left. */
  async expectEnd(): Promise<void> {
    const extra = await this.next()
    if (extra) throw this.sizeError('has more bytes than its descriptor says')
  }

  private async next(): Promise<Buffer | undefined> {
    if (this.leftover) {
      const chunk = this.leftover
      this.leftover = undefined
      return chunk
    }
    for (;;) {
      const next = await this.chunks.next()
      if (next.done) return undefined
      const chunk = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value as Uint8Array)
      if (chunk.length > 0) return chunk
    }
  }

  private sizeError(what: string): SquizzleError {
    return new SquizzleError('DIGEST_MISMATCH', `${this.what}: the content to upload ${what}`, {
      hint: 'The source changed while it was being pushed; nothing was tagged. Push again from a stable copy.',
    })
  }
}
