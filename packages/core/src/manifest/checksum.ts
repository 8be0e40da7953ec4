import { createHash } from 'node:crypto'
import { SquizzleError } from '../errors/squizzle-error.js'
import type { ManifestChecksum, ManifestFile } from './manifest.js'

/**
 * The checksum formula, by id. Build writes the current id into the manifest and
 * verify reads the id from the manifest, so a bundle built today still verifies
 * after the formula changes: a new formula gets a new id, old ids stay here forever.
 */
const algorithms: Record<string, (files: readonly ManifestFile[]) => string> = {
  // One line per file, sorted by path (byte order):
  // path TAB size TAB sha256 TAB transaction(1|0) TAB commitAfter(1|0) TAB ownTransactionControl(1|0) LF
  'squizzle-files-v1': (files) => {
    const lines = files
      .map(
        (f) =>
          `${f.path}\t${f.size}\t${f.sha256}\t${f.transaction ? 1 : 0}\t${f.commitAfter ? 1 : 0}\t${f.ownTransactionControl ? 1 : 0}\n`,
      )
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    const hash = createHash('sha256')
    for (const line of lines) hash.update(line, 'utf8')
    return hash.digest('hex')
  },
}

/** The algorithm new bundles are built with. */
export const currentChecksumAlgorithm = 'squizzle-files-v1'

/**
 * Computes the manifest checksum over a file list. The single formula shared by build and verify.
 *
 * @example
 * ```ts
 * const checksum = computeChecksum(manifest.files) // { algorithm: 'squizzle-files-v1', value: '…' }
 * ```
 */
export function computeChecksum(
  files: readonly ManifestFile[],
  algorithm: string = currentChecksumAlgorithm,
): ManifestChecksum {
  // Own properties only: the id comes from an untrusted manifest ('constructor', '__proto__').
  const formula = Object.hasOwn(algorithms, algorithm) ? algorithms[algorithm] : undefined
  if (!formula) {
    throw new SquizzleError('MANIFEST_INVALID', `unknown checksum algorithm "${algorithm}"`, {
      hint: 'This bundle was built by a newer Squizzle; upgrade the CLI or library that reads it.',
    })
  }
  return { algorithm, value: formula(files) }
}

/**
 * Recomputes a manifest's checksum with the algorithm it names and throws
 * `CHECKSUM_MISMATCH` when it differs.
 *
 * @example
 * ```ts
 * assertChecksum(manifest.files, manifest.checksum)
 * ```
 */
export function assertChecksum(files: readonly ManifestFile[], expected: ManifestChecksum): void {
  const actual = computeChecksum(files, expected.algorithm)
  if (actual.value !== expected.value) {
    throw new SquizzleError('CHECKSUM_MISMATCH', `manifest checksum does not match its file list`, {
      hint: 'The manifest was altered after it was built. Rebuild the version from source or restore it from a trusted copy.',
      details: { algorithm: expected.algorithm, expected: expected.value, actual: actual.value },
    })
  }
}
