import type { SquizzleEvent } from '@squizzle/core'
import type { Colors } from './colors.js'

type ReplayCacheEvent = Extract<SquizzleEvent, { type: 'replay.cache' }>

/**
 * The line for a `replay.cache` event: whether the build replays only its new version
 * (and why not), and whether the new version's state was kept for the next build.
 *
 * @example
 * ```ts
 * const cache = '.squizzle/replay'
 * describeReplayCache({ type: 'replay.cache', outcome: 'reused', version: '1.1.0', digest, target: '1.2.0', cache }, c)
 * // '  ↺ reusing the replayed state of 1.1.0 kept in .squizzle/replay: replaying only 1.2.0'
 * ```
 */
export function describeReplayCache(
  e: ReplayCacheEvent,
  c: Colors,
  shown: (path: string) => string = (p) => p,
): string {
  const where = e.cache.startsWith('/') ? shown(e.cache) : e.cache
  const state = `the replayed state of ${e.version}`
  switch (e.outcome) {
    case 'reused':
      return `  ${c.cyan('↺')} reusing ${state} kept in ${where}: replaying only ${e.target}`
    case 'missed':
      return (
        `  ${c.cyan('↺')} no kept state of ${e.version} to reuse (${e.reason ?? 'none'}): ` + 'replaying every version'
      )
    case 'kept':
      return `  ${c.green('✓')} kept ${state} in ${where} ${c.dim('(the next build replays only its new version)')}`
    case 'not-kept':
      return `  ${c.yellow('!')} the replayed state of ${e.version} was not kept: ${e.reason ?? 'unknown reason'}`
  }
}
