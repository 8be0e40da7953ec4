import type { HistoryEntry } from '../driver/database-driver.js'
import { compareVersions } from '../version/version.js'

/** The database's state, derived from its append-only history. */
export interface HistoryState {
  /** Applied versions (by apply or baseline, not since rolled back), oldest first. */
  applied: HistoryEntry[]
  /** The newest applied version, or null. */
  current: string | null
  /** Failed runs not followed by a success or a repair of the same version. */
  failed: HistoryEntry[]
  /** The newest baselined version: stored versions at or below it are treated as already in the schema. */
  baseline: string | null
}

/**
 * Replays the history: the last successful row of a version decides whether it
 * is applied (apply, baseline) or not (rollback); a failure counts until a later
 * success or repair of the same version, except a failed apply of the very artifact
 * already applied (a run that lost the race to another). A baseline also covers
 * every version below it.
 *
 * @example
 * ```ts
 * const { current, applied } = deriveState(await driver.records.history())
 * ```
 */
export function deriveState(history: readonly HistoryEntry[]): HistoryState {
  const applied = new Map<string, HistoryEntry>()
  const failed = new Map<string, HistoryEntry>()
  let baseline: string | null = null
  for (const entry of [...history].sort((a, b) => a.id - b.id)) {
    if (entry.status === 'failed') {
      // A concurrent run that lost the race for a version another run had just applied
      // changed nothing (its transaction rolled back): not a failure anyone must resolve.
      const current = applied.get(entry.version)
      if (entry.operation === 'apply' && current && current.manifestDigest === entry.manifestDigest) continue
      failed.set(entry.version, entry)
      continue
    }
    failed.delete(entry.version)
    if (entry.operation === 'baseline' && (baseline === null || compareVersions(entry.version, baseline) > 0))
      baseline = entry.version
    if (entry.operation === 'apply' || entry.operation === 'baseline') applied.set(entry.version, entry)
    else if (entry.operation === 'rollback') applied.delete(entry.version)
  }
  const list = [...applied.values()].sort((a, b) => compareVersions(a.version, b.version))
  return {
    applied: list,
    current: list.at(-1)?.version ?? null,
    failed: [...failed.values()].sort((a, b) => a.id - b.id),
    baseline,
  }
}
