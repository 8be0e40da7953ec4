import { SquizzleError } from '../errors/squizzle-error.js'
import { isDigest } from '../oci/digest.js'
import { parseVersion } from './version.js'

/**
 * A version, optionally pinned to the OCI image-manifest digest it must resolve to
 * (`1.7.0@sha256:…`, the form `docker pull name@digest` and Helm users know).
 */
export interface PinnedVersion {
  version: string
  /** `sha256:<hex>` the version's tag must resolve to, or null when not pinned. */
  digest: string | null
}

/**
 * Parses `1.7.0` or `1.7.0@sha256:<64 hex>`. Throws `VERSION_INVALID` for a bad
 * version or a digest that is not sha256 hex.
 *
 * @example
 * ```ts
 * parsePinnedVersion('1.7.0')                     // { version: '1.7.0', digest: null }
 * parsePinnedVersion(`1.7.0@sha256:${'a'.repeat(64)}`) // { version: '1.7.0', digest: 'sha256:aaa…' }
 * ```
 */
export function parsePinnedVersion(reference: string): PinnedVersion {
  const at = reference.indexOf('@')
  if (at === -1) return { version: parseVersion(reference), digest: null }
  const version = parseVersion(reference.slice(0, at))
  const digest = reference.slice(at + 1)
  if (!isDigest(digest)) {
    throw new SquizzleError('VERSION_INVALID', `"${reference.slice(0, 120)}" does not pin a sha256 digest`, {
      hint: 'Pin with VERSION@sha256:<64 lower-case hex>, the digest building, pushing and listing the version report.',
      remedies: [{ operation: 'list' }],
    })
  }
  return { version, digest }
}

/**
 * Throws `PINNED_DIGEST_MISMATCH` (an integrity error) when `pin` names a digest
 * and `actual` (what `where`, a storage or the database, has for the version) is another.
 *
 * @example
 * ```ts
 * assertPinned(parsePinnedVersion(reference), pulled.ref.digest, storage.name)
 * ```
 */
export function assertPinned(pin: PinnedVersion, actual: string, where: string): void {
  if (pin.digest === null || pin.digest === actual) return
  throw new SquizzleError(
    'PINNED_DIGEST_MISMATCH',
    `version ${pin.version} was pinned to ${pin.digest}, but ${where} has ${actual}`,
    {
      hint:
        'Nothing was run or copied. The tag points at another artifact than the one you promoted: find out who ' +
        're-pointed it, and promote the digest that was verified (listing the versions shows what each tag ' +
        'resolves to).',
      remedies: [{ operation: 'list' }],
      details: { version: pin.version, pinned: pin.digest, actual, where },
    },
  )
}
