import { createHash } from 'node:crypto'
import { Transform, type TransformCallback } from 'node:stream'
import { SquizzleError } from '../errors/squizzle-error.js'
import type { Descriptor } from './descriptor.js'

const digestPattern = /^sha256:[0-9a-f]{64}$/

/**
 * The OCI digest of some bytes.
 *
 * @example
 * ```ts
 * sha256Digest(Buffer.from('{}')) // 'sha256:44136fa355b3678a…'
 * ```
 */
export function sha256Digest(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`
}

/**
 * True for a well-formed `sha256:<hex>` digest (the only algorithm Squizzle accepts).
 *
 * @example
 * ```ts
 * isDigest('sha256:' + '0'.repeat(64)) // true
 * isDigest('md5:abc')                   // false
 * ```
 */
export function isDigest(value: string): boolean {
  return digestPattern.test(value)
}

/**
 * A descriptor for in-memory bytes.
 *
 * @example
 * ```ts
 * const desc = describeBytes('application/vnd.oci.empty.v1+json', Buffer.from('{}'))
 * ```
 */
export function describeBytes(mediaType: string, bytes: Uint8Array, extra: Partial<Descriptor> = {}): Descriptor {
  return { mediaType, digest: sha256Digest(bytes), size: bytes.byteLength, ...extra }
}

/**
 * Throws `DIGEST_MISMATCH` unless `bytes` match the descriptor's size and digest.
 *
 * @example
 * ```ts
 * assertDigest(desc, await readAll(stream), 'manifest of 1.2.0')
 * ```
 */
export function assertDigest(desc: Descriptor, bytes: Uint8Array, what: string): void {
  const actual = sha256Digest(bytes)
  if (bytes.byteLength !== desc.size || actual !== desc.digest) {
    throw digestMismatch(what, desc, actual, bytes.byteLength)
  }
}

/**
 * A pass-through stream that fails with `DIGEST_MISMATCH` when the bytes that
 * went through do not match the descriptor (checked on every chunk for size,
 * at the end for the digest). Callers must consume it to the end.
 *
 * @example
 * ```ts
 * await pipeline(await target.fetch(desc), verifyingStream(desc, 'bundle 1.2.0'), out)
 * ```
 */
export function verifyingStream(desc: Descriptor, what: string): Transform {
  const hash = createHash('sha256')
  let seen = 0
  return new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, callback: TransformCallback) {
      seen += chunk.length
      if (seen > desc.size) {
        callback(digestMismatch(what, desc, 'unknown (more bytes than expected)', seen))
        return
      }
      hash.update(chunk)
      callback(null, chunk)
    },
    flush(callback: TransformCallback) {
      const actual = `sha256:${hash.digest('hex')}`
      callback(seen === desc.size && actual === desc.digest ? null : digestMismatch(what, desc, actual, seen))
    },
  })
}

function digestMismatch(what: string, desc: Descriptor, actual: string, size: number): SquizzleError {
  return new SquizzleError('DIGEST_MISMATCH', `${what}: content does not match ${desc.digest} (${size} bytes, expected ${desc.size})`, {
    hint: 'The stored bytes were altered or truncated. Do not use them; pull or restore the version from a trusted copy.',
    details: { expected: desc.digest, actual, size, expectedSize: desc.size },
  })
}
