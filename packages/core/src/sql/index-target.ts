import type { IndexTarget } from '../driver/database-driver.js'
import type { SqlStatement } from './split-statements.js'

/**
 * Where a `CREATE INDEX CONCURRENTLY` statement puts its index, as PostgreSQL's
 * parser reads it; null for any other statement. An interrupted or failed
 * concurrent build leaves an invalid index of that name behind.
 *
 * @example
 * ```ts
 * const [s] = await splitStatements('CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON app.t (x)')
 * concurrentIndexTarget(s!) // { schema: 'app', table: 't', index: 'i' }
 * ```
 */
export function concurrentIndexTarget(statement: SqlStatement): IndexTarget | null {
  if (statement.nodeType !== 'IndexStmt' || statement.node['concurrent'] !== true) return null
  const relation = statement.node['relation'] as { schemaname?: string; relname?: string } | undefined
  if (!relation?.relname) return null
  const index = statement.node['idxname']
  const schema = relation.schemaname ?? null
  return { schema, table: relation.relname, index: typeof index === 'string' ? index : null }
}
