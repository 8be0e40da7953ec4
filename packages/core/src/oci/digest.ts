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
 * Where a digest check ran, so a mismatch says which copy is bad: bytes received
 * from a remote store (`transit`: the remote copy or the connection), or bytes read
 * from a store on this machine (`storage`: the local file). Without it the error
 * names neither.
 */
export interface DigestCheck {
  detectedIn: 'transit' | 'storage'
  /** Facts merged into the error's details: registry, repository, operation, path. */
  details?: Record<string, unknown>
  /** Replaces the default hint of `detectedIn`. */
  hint?: string
}

/**
 * Throws `DIGEST_MISMATCH` unless `bytes` match the descriptor's size and digest.
 *
 * @example
 * ```ts
 * assertDigest(desc, await readAll(stream), 'manifest of 1.2.0')
 * assertDigest(desc, bytes, `download ${desc.digest} from ghcr.io/acme/db`, { detectedIn: 'transit' })
 * ```
 */
export function assertDigest(desc: Descriptor, bytes: Uint8Array, what: string, check?: DigestCheck): void {
  const actual = sha256Digest(bytes)
  if (bytes.byteLength !== desc.size || actual !== desc.digest) {
    throw digestMismatch(what, desc, actual, bytes.byteLength, check)
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
export function verifyingStream(desc: Descriptor, what: string, check?: DigestCheck): Transform {
  const hash = createHash('sha256')
  let seen = 0
  return new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, callback: TransformCallback) {
      seen += chunk.length
      if (seen > desc.size) {
        callback(digestMismatch(what, desc, 'unknown (more bytes than expected)', seen, check))
        return
      }
      hash.update(chunk)
      callback(null, chunk)
    },
    flush(callback: TransformCallback) {
      const actual = `sha256:${hash.digest('hex')}`
      callback(seen === desc.size && actual === desc.digest ? null : digestMismatch(what, desc, actual, seen, check))
    },
  })
}

const hints = {
  unknown: 'The bytes were altered or truncated. Do not use them; pull or restore the version from a trusted copy.',
  transit:
    'The bytes received differ from their digest: the remote copy is damaged or the connection altered them. ' +
    'Nothing was stored from them; try again, and if it persists restore the remote copy from a trusted one.',
  storage: 'The file stored on this machine was altered or truncated. Do not use it: remove it, pull it again.',
} as const

/**
 * The `DIGEST_MISMATCH` error for content that is not what its descriptor says.
 *
 * @example
 * ```ts
 * throw digestMismatch('blob sha256:ab… in /srv/layout', desc, actual, size, { detectedIn: 'storage' })
 * ```
 */
export function digestMismatch(
  what: string,
  desc: Descriptor,
  actual: string,
  size: number,
  check?: DigestCheck,
): SquizzleError {
  const sizes = `${size} bytes, expected ${desc.size}${check ? `; detected in ${check.detectedIn}` : ''}`
  return new SquizzleError('DIGEST_MISMATCH', `${what}: content does not match ${desc.digest} (${sizes})`, {
    hint: check?.hint ?? hints[check?.detectedIn ?? 'unknown'],
    details: {
      ...check?.details,
      digest: desc.digest,
      expected: desc.digest,
      actual,
      size,
      expectedSize: desc.size,
      ...(check ? { detectedIn: check.detectedIn } : {}),
    },
  })
}
