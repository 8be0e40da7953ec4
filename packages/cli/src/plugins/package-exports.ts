/** The conditions `import()` matches in a package's `exports`, as Node does for an ES module. */
const importConditions = new Set(['import', 'node', 'default'])

/**
 * The file (relative to the package) that `exports` maps `subpath` to for `import`, or
 * null: a string, condition objects (first matching key wins, as in Node), arrays
 * (first that resolves), subpath maps and `*` patterns.
 *
 * @example
 * ```ts
 * exportTarget({ '.': { types: './x.d.ts', import: './x.mjs' } }, '.') // './x.mjs'
 * ```
 */
export function exportTarget(exports: unknown, subpath: string): string | null {
  const isSubpathMap =
    typeof exports === 'object' &&
    exports !== null &&
    !Array.isArray(exports) &&
    Object.keys(exports).some((k) => k.startsWith('.'))
  if (!isSubpathMap) return subpath === '.' ? conditionTarget(exports, '') : null
  const map = exports as Record<string, unknown>
  if (Object.hasOwn(map, subpath)) return conditionTarget(map[subpath], '')
  for (const [key, value] of Object.entries(map)) {
    const star = key.indexOf('*')
    if (star === -1) continue
    const [prefix, suffix] = [key.slice(0, star), key.slice(star + 1)]
    if (subpath.startsWith(prefix) && subpath.endsWith(suffix) && subpath.length >= key.length - 1) {
      return conditionTarget(value, subpath.slice(prefix.length, subpath.length - suffix.length))
    }
  }
  return null
}

function conditionTarget(value: unknown, match: string): string | null {
  if (typeof value === 'string') return value.replaceAll('*', match)
  if (Array.isArray(value)) {
    for (const item of value) {
      const found = conditionTarget(item, match)
      if (found !== null) return found
    }
    return null
  }
  if (typeof value !== 'object' || value === null) return null
  for (const [condition, target] of Object.entries(value)) {
    const found = importConditions.has(condition) ? conditionTarget(target, match) : null
    if (found !== null) return found
  }
  return null
}
