import type { Readable } from 'node:stream'
import { SquizzleError } from '../errors/squizzle-error.js'

/**
 * Reads a small stream (a manifest, an index) into memory, refusing more than `maxBytes`.
 *
 * @example
 * ```ts
 * const bytes = await readSmall(await target.fetch(desc), 4 * 1024 * 1024, 'manifest')
 * ```
 */
export async function readSmall(stream: Readable, maxBytes: number, what: string): Promise<Buffer> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > maxBytes) {
      stream.destroy()
      throw new SquizzleError('BUNDLE_LIMIT_EXCEEDED', `${what} is larger than ${maxBytes} bytes`, {
        hint: 'The stored content is not a Squizzle artifact or was tampered with.',
      })
    }
    chunks.push(chunk)
  }
  return Buffer.concat(chunks)
}
