import { SquizzleError } from '../errors/squizzle-error.js'

/**
 * The targets of shard `index` (0-based) of `count`: the targets ordered by name, every
 * `count`-th from position `index`. Deterministic from the names alone (the order of the
 * list does not matter), balanced within one target, every target in exactly one shard:
 * the union of shards 0..count-1 is the fleet and no two shards share a target.
 * Throws `USAGE` unless 0 ≤ index < count.
 *
 * @example
 * ```ts
 * shard(targets, Number(process.env.JOB_COMPLETION_INDEX), 4) // this Job pod's quarter of the fleet
 * ```
 */
export function shard<T extends { name: string }>(targets: readonly T[], index: number, count: number): T[] {
  if (!Number.isInteger(count) || count < 1 || !Number.isInteger(index) || index < 0 || index >= count) {
    throw new SquizzleError('USAGE', `shard ${index} of ${count} does not exist`, {
      hint: 'Give a shard index from 0 to count - 1 and a count of at least 1 (e.g. 0/4 … 3/4).',
      details: { index, count },
    })
  }
  const ordered = [...targets].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  return ordered.filter((_, position) => position % count === index)
}
