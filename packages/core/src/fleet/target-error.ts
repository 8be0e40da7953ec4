import { isSquizzleError } from '../errors/squizzle-error.js'
import { redactSecrets } from '../errors/redact.js'
import type { TargetError } from './fleet-report.js'
import { connectionPasswords, type FleetTarget } from './fleet-target.js'

/**
 * A target's failure as a report shows it: the error's code, category, message and hint,
 * with the target's password (and any URL's) removed from every text.
 *
 * @example
 * ```ts
 * targetError(err, target, resolvedUrl)
 * // { code: 'CONNECTION_FAILED', category: 'failure', message: '…', hint: '…' }
 * ```
 */
export function targetError(err: unknown, target: FleetTarget, connection: string | null): TargetError {
  const secrets = connection === null ? [] : connectionPasswords(connection)
  const clean = (text: string) => redactSecrets(text, secrets)
  if (isSquizzleError(err)) {
    return {
      code: err.code,
      category: err.category,
      message: clean(err.message),
      hint: err.hint ? clean(err.hint) : null,
    }
  }
  const message = err instanceof Error ? err.message : String(err)
  return { code: 'UNEXPECTED', category: 'failure', message: clean(`target ${target.name}: ${message}`), hint: null }
}
