import { setFlagsFromString } from 'node:v8'

/**
 * V8 flags that keep the CLI's heap near what it holds. By default V8 grows the young
 * generation up to 16 MB per semi-space and lets the old one grow by half or more before a
 * full collection; a command that streams a 50 MB seed or a 200 MB bundle then carries tens
 * of MB of dead strings and buffers (a 52 MB seed's apply peaked at 131 MB RSS, with them
 * 100 MB). Both flags are read by V8 at every collection, so setting them at start-up works
 * without restarting the process; the cost is more, smaller collections.
 */
const flags = ['--semi-space-growth-factor=1', '--heap-growing-percent=10']

/**
 * Sets {@link flags}; call once, first thing in the CLI's entry.
 *
 * @example
 * ```ts
 * boundHeapGrowth()
 * const { main } = await import('./main.js')
 * ```
 */
export function boundHeapGrowth(): void {
  for (const flag of flags) setFlagsFromString(flag)
}
