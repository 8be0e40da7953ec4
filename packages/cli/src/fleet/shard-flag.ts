import { SquizzleError } from '@squizzle/core'

/**
 * `--shard INDEX/COUNT` (INDEX from 0, as a Kubernetes Indexed Job's JOB_COMPLETION_INDEX),
 * or null when not given. Usage error for anything else.
 *
 * @example
 * ```ts
 * parseShardFlag('2/4') // { index: 2, count: 4 }
 * ```
 */
export function parseShardFlag(value: string | undefined): { index: number; count: number } | null {
  if (value === undefined) return null
  const match = /^(\d{1,6})\/(\d{1,6})$/.exec(value)
  const index = Number(match?.[1])
  const count = Number(match?.[2])
  if (!match || count < 1 || index >= count) {
    throw new SquizzleError('USAGE', `--shard takes INDEX/COUNT with 0 ≤ INDEX < COUNT, not "${value}"`, {
      hint: 'Example: --shard 0/4 (the first of four shards); in an Indexed Job: --shard $JOB_COMPLETION_INDEX/4',
    })
  }
  return { index, count }
}
