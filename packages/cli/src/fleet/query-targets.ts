import postgres from 'postgres'
import { isSquizzleError, redactSecrets, SquizzleError, type FleetTarget } from '@squizzle/core'
import { targetRows } from './target-rows.js'

/**
 * The rows of the configured query on the control database, as targets (columns
 * `name`, `url`, and optionally `labels`, a jsonb or JSON text). The query is the
 * operator's own text from their config, so it runs as written (`sql.unsafe`), in a
 * `BEGIN READ ONLY` transaction that cannot change the control database. Any failure
 * is `FLEET_TARGETS_UNAVAILABLE`, its message without the secrets given (the control database's password).
 *
 * @example
 * ```ts
 * const url = process.env.CONTROL_DATABASE_URL!
 * await queryTargets('select name, url from tenants', url, { secrets, connectTimeoutSeconds: 10 })
 * ```
 */
export async function queryTargets(
  query: string,
  connection: string,
  options: { secrets: () => string[]; connectTimeoutSeconds: number },
): Promise<FleetTarget[]> {
  const sql = postgres(connection, {
    max: 1,
    onnotice: () => {},
    connect_timeout: Math.max(1, options.connectTimeoutSeconds),
    connection: { application_name: 'squizzle (fleet targets)' },
  })
  try {
    const rows = await sql.begin('read only', (tx) => tx.unsafe(query))
    return targetRows([...rows], 'the control database query')
  } catch (err) {
    if (isSquizzleError(err)) throw err
    const message = redactSecrets(err instanceof Error ? err.message : String(err), options.secrets())
    throw new SquizzleError('FLEET_TARGETS_UNAVAILABLE', `the fleet's target query failed: ${message}`, {
      hint: 'Check fleet.targets.query and the control database URL; the query must return name and url columns.',
    })
  } finally {
    await sql.end({ timeout: 5 })
  }
}
