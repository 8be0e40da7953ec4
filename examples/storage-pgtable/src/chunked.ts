import type { Readable } from 'node:stream'

/**
 * The content in pieces of exactly `size` bytes (the last may be shorter), pulled from the
 * stream as they are written: memory stays at about one piece, whatever the content's size.
 *
 * @example
 * ```ts
 * for await (const piece of chunked(stream, 1024 * 1024)) await insert(piece)
 * ```
 */
export async function* chunked(content: Readable | Uint8Array, size: number): AsyncGenerator<Buffer> {
  if (content instanceof Uint8Array) {
    for (let at = 0; at < content.byteLength; at += size) yield Buffer.from(content.subarray(at, at + size))
    return
  }
  let pending: Buffer[] = []
  let length = 0
  for await (const piece of content as AsyncIterable<Buffer | string>) {
    const bytes = typeof piece === 'string' ? Buffer.from(piece) : piece
    pending.push(bytes)
    length += bytes.byteLength
    while (length >= size) {
      const all = Buffer.concat(pending)
      yield all.subarray(0, size)
      pending = [all.subarray(size)]
      length -= size
    }
  }
  if (length > 0) yield Buffer.concat(pending)
}
