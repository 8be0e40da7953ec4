import { maxManifestBytes } from '../bundle/limits.js'
import { isSquizzleError, SquizzleError } from '../errors/squizzle-error.js'
import { readSmall } from '../util/read-stream.js'
import type { ContentTarget } from './content-target.js'
import type { Descriptor } from './descriptor.js'
import { assertDigest } from './digest.js'

/** Manifests and indexes are small; anything claiming more is refused before it is read (see limits.ts). */
export { maxManifestBytes }

/**
 * Fetches small content (a manifest, an index, an attachment) into memory and
 * checks it against its descriptor's size and digest.
 *
 * @example
 * ```ts
 * const bytes = await fetchVerified(target, desc, maxManifestBytes, 'manifest of 1.2.0')
 * ```
 */
export async function fetchVerified(
  target: ContentTarget,
  desc: Descriptor,
  maxBytes: number,
  what: string,
): Promise<Buffer> {
  if (desc.size > maxBytes) {
    throw new SquizzleError('BUNDLE_LIMIT_EXCEEDED', `${what} claims ${desc.size} bytes, more than ${maxBytes}`, {
      hint: 'The stored content is not a Squizzle artifact or was tampered with.',
    })
  }
  const bytes = await readSmall(await target.fetch(desc), maxBytes, what)
  assertDigest(desc, bytes, what)
  return bytes
}

/**
 * Resolves a tag or digest, or returns null when the target has nothing under it.
 *
 * @example
 * ```ts
 * const existing = await resolveOrNull(target, '1.2.0')
 * ```
 */
export async function resolveOrNull(target: ContentTarget, reference: string): Promise<Descriptor | null> {
  try {
    return await target.resolve(reference)
  } catch (err) {
    if (isSquizzleError(err) && err.code === 'VERSION_NOT_FOUND') return null
    throw err
  }
}

/**
 * The error for a version that exists in `target` with other content.
 *
 * @example
 * ```ts
 * if (existing.digest !== desc.digest) throw immutableVersion(target, '1.2.0', existing.digest, desc.digest)
 * ```
 */
export function immutableVersion(
  target: ContentTarget,
  version: string,
  stored: string,
  attempted: string,
): SquizzleError {
  return new SquizzleError(
    'IMMUTABLE_VERSION',
    `version ${version} already exists in ${target.name} with different content (${stored})`,
    {
      hint: 'Released versions never change. Build a new, higher version instead.',
      details: { version, stored, attempted },
    },
  )
}
