import type { SquizzleEvent } from '@squizzle/core'
import type { Colors } from './colors.js'
import { formatDuration } from './units.js'

type FleetEvent = Extract<SquizzleEvent, { type: `fleet.${string}` }>

/**
 * One human line for a fleet event, or null when it is only shown with --verbose
 * (a target already at the version, a target starting, a stage ending).
 *
 * @example
 * ```ts
 * describeFleetEvent({ type: 'fleet.halted', stage: 'canary', reason: '1 of 1 targets failed' }, colors, false)
 * // '✗ rollout halted in stage canary: 1 of 1 targets failed'
 * ```
 */
export function describeFleetEvent(e: FleetEvent, c: Colors, verbose: boolean): string | null {
  switch (e.type) {
    case 'fleet.start':
      return `Rolling out ${c.bold(e.version)} to ${plural(e.targets, 'target')} (stages: ${e.stages.join(', ')})`
    case 'fleet.stage.start':
      return `${c.cyan('→')} stage ${c.bold(e.stage)}: ${plural(e.targets, 'target')}, ${e.parallel} at a time`
    case 'fleet.target.start':
      return null
    case 'fleet.target.done':
      return targetLine(e, c, verbose)
    case 'fleet.stage.done':
      return verbose ? c.dim(`stage ${e.stage} done: ${e.failed} of ${plural(e.targets, 'target')} failed`) : null
    case 'fleet.halted':
      return `${c.red('✗')} rollout halted in stage ${e.stage}: ${e.reason}`
  }
}

function targetLine(e: Extract<FleetEvent, { type: 'fleet.target.done' }>, c: Colors, verbose: boolean): string | null {
  const time = c.dim(formatDuration(e.durationMs))
  switch (e.result) {
    case 'applied':
      return `  ${c.green('✓')} ${e.target}: ${e.versionBefore ?? '(none)'} → ${e.versionAfter ?? '(none)'} ${time}`
    case 'current':
      return verbose ? `  ${c.dim('=')} ${e.target}: already at ${e.versionAfter ?? '(none)'}` : null
    case 'failed':
      return `  ${c.red('✗')} ${e.target}: ${e.error?.message ?? 'failed'} ${c.dim(`[${e.error?.code ?? '?'}]`)}`
    case 'skipped':
      return verbose ? `  ${c.dim('-')} ${e.target}: skipped` : null
  }
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`
}
