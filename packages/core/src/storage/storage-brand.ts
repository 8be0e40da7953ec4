/** Marks objects that implement ArtifactStorage, recognised across copies of core. */
export const storageBrand = Symbol.for('squizzle.storage')

/**
 * True when `value` looks like an ArtifactStorage (branded, or with the required methods).
 *
 * @example
 * ```ts
 * if (!isArtifactStorage(plugin.default)) throw new Error('not a storage plugin')
 * ```
 */
export function isArtifactStorage(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false
  if ((value as Record<symbol, unknown>)[storageBrand] === true) return true
  return ['push', 'pull', 'exists', 'list', 'delete'].every(
    (m) => typeof (value as Record<string, unknown>)[m] === 'function',
  )
}
