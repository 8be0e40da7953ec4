import { isVersion } from '../version/version.js'
import type { ConflictSides } from './ledger-errors.js'

// git writes `<<<<<<< ours`, `||||||| base` (diff3), `=======`, `>>>>>>> theirs`.
const markers: readonly [RegExp, Side][] = [
  [/^<{7}( |$)/, 'ours'],
  [/^\|{7}( |$)/, 'base'],
  [/^={7}$/, 'theirs'],
  [/^>{7}( |$)/, 'none'],
]

type Side = 'none' | 'ours' | 'base' | 'theirs'

/**
 * Finds git conflict markers in a ledger's lines: the first marker's line number
 * and the versions each side adds, or null when there are none. Pure.
 *
 * @example
 * ```ts
 * findConflict(text.split('\n')) // { line: 1, ours: ['1.2.0'], theirs: ['1.2.0'] }
 * ```
 */
export function findConflict(lines: readonly string[]): ConflictSides | null {
  let first: number | null = null
  let side: Side = 'none'
  const found: Record<'ours' | 'theirs', string[]> = { ours: [], theirs: [] }
  lines.forEach((line, i) => {
    const marker = markers.find(([pattern]) => pattern.test(line))
    if (marker) {
      first ??= i + 1
      side = marker[1]
      return
    }
    const version = /^version (\S+) /.exec(line)?.[1]
    if ((side === 'ours' || side === 'theirs') && version !== undefined && isVersion(version)) found[side].push(version)
  })
  return first === null ? null : { line: first, ...found }
}
