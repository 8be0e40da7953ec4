import type { Sql } from 'postgres'

/** One audit log row as stored. */
export interface AuditRow {
  id: number
  at: Date
  operation: string
  outcome: 'success' | 'failure' | 'refused'
  version: string | null
  actor: string
  host: string
  databaseUser: string
  details: Record<string, unknown>
}

/**
 * The newest audit rows first.
 *
 * @example
 * ```ts
 * const rows = await readAudit(sql, 'squizzle', 20)
 * ```
 */
export async function readAudit(sql: Sql, system: string, limit: number): Promise<AuditRow[]> {
  const rows = await sql<
    {
      id: string
      at: Date
      operation: string
      outcome: AuditRow['outcome']
      version: string | null
      actor: string
      host: string
      database_user: string
      details: Record<string, unknown>
    }[]
  >`
    SELECT id, at, operation, outcome, version, actor, host, database_user, details
    FROM ${sql(system)}.audit ORDER BY id DESC LIMIT ${limit}`
  return rows.map((r) => ({
    id: Number(r.id),
    at: r.at,
    operation: r.operation,
    outcome: r.outcome,
    version: r.version,
    actor: r.actor,
    host: r.host,
    databaseUser: r.database_user,
    details: r.details,
  }))
}
