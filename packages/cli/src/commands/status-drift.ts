import { checkDrift, isSquizzleError, type DatabaseDriver, type DriftReport } from '@squizzle/core'
import type { CommandContext } from '../context.js'

/** Drift as `status` shows it: the report, or why it could not be made (status never fails for it). */
export type StatusDrift = DriftReport | { status: 'unavailable'; code: string; message: string }

/**
 * Checks drift for `status`; a failure (version missing from storage, tampering)
 * becomes an `unavailable` entry, since status reports those itself.
 *
 * @example
 * ```ts
 * const drift = await statusDrift(ctx, driver)
 * ```
 */
export async function statusDrift(ctx: CommandContext, driver: DatabaseDriver): Promise<StatusDrift> {
  try {
    return await checkDrift({ storage: await ctx.openStorage(), driver, limits: ctx.settings.limits })
  } catch (err) {
    return {
      status: 'unavailable',
      code: isSquizzleError(err) ? err.code : 'UNEXPECTED',
      message: err instanceof Error ? err.message : String(err),
    }
  }
}

/**
 * One line for status: `none`, the number of differences, or why drift is unknown.
 *
 * @example
 * ```ts
 * r.line(`Drift    ${describeStatusDrift(drift)}`)
 * ```
 */
export function describeStatusDrift(drift: StatusDrift): string {
  switch (drift.status) {
    case 'clean':
      return 'none'
    case 'drift':
      return `${drift.differences.length} difference${drift.differences.length === 1 ? '' : 's'} from ${drift.version}'s schema (see squizzle drift)`
    case 'no-version':
      return 'nothing applied'
    case 'no-snapshot':
      return `unknown: ${drift.version} has no schema snapshot`
    case 'unavailable':
      return `unknown: ${drift.message}`
  }
}
