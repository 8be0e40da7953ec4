/**
 * The candidate closest to `word` by edit distance (insertions, deletions,
 * substitutions and swaps of two neighbours, case ignored), or undefined when none
 * is close enough to be what was meant: at most a third of the word's length, and
 * never more than 3 edits. For "did you mean" hints on commands, flags and keys.
 *
 * @example
 * ```ts
 * closestMatch('aply', ['apply', 'status']) // 'apply'
 * closestMatch('lockTimeOutMs', ['lockTimeoutMs', 'storage']) // 'lockTimeoutMs'
 * closestMatch('xyz', ['apply']) // undefined
 * ```
 */
export function closestMatch(word: string, candidates: Iterable<string>): string | undefined {
  const limit = Math.min(3, Math.max(1, Math.floor(word.length / 3)))
  let best: { candidate: string; distance: number } | undefined
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase())
    if (distance <= limit && (best === undefined || distance < best.distance)) best = { candidate, distance }
  }
  return best?.candidate
}

/**
 * Optimal string alignment distance: Levenshtein plus the swap of two adjacent
 * characters as one edit (`dryrnu` is one edit from `dryrun`).
 *
 * @example
 * ```ts
 * editDistance('dryrun', 'dry-run') // 1
 * ```
 */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = [Array.from({ length: b.length + 1 }, (_, j) => j)]
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let d = Math.min(rows[i - 1]![j]! + 1, row[j - 1]! + 1, rows[i - 1]![j - 1]! + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2]![j - 2]! + 1)
      row.push(d)
    }
    rows.push(row)
  }
  return rows[a.length]![b.length]!
}
