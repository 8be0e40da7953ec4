import type { IndexTarget, InvalidIndex } from '@squizzle/core'
import type { Sql } from 'postgres'

/**
 * Indexes whose build never finished (`indisvalid` false), outside the system
 * schemas; with `on`, only those on that table (resolved as this session resolves
 * names now) and, when it has one, of that name. An index a concurrent build is
 * working on right now is not one of them: it is still being made valid.
 *
 * @example
 * ```ts
 * await readInvalidIndexes(sql, { schema: null, table: 'members', index: 'members_email_key' })
 * ```
 */
export async function readInvalidIndexes(sql: Sql, on?: IndexTarget): Promise<InvalidIndex[]> {
  const table =
    on === undefined
      ? sql``
      : sql`
    AND x.indrelid = pg_catalog.to_regclass(CASE WHEN ${on.schema}::text IS NULL
      THEN pg_catalog.quote_ident(${on.table}::text)
      ELSE pg_catalog.quote_ident(${on.schema}::text) || '.' || pg_catalog.quote_ident(${on.table}::text) END)
    AND (${on.index}::text IS NULL OR i.relname = ${on.index}::text)`
  return sql<InvalidIndex[]>`
    SELECT n.nspname AS schema, i.relname AS name, t.relname AS table
    FROM pg_catalog.pg_index x
    JOIN pg_catalog.pg_class i ON i.oid = x.indexrelid
    JOIN pg_catalog.pg_class t ON t.oid = x.indrelid
    JOIN pg_catalog.pg_namespace n ON n.oid = i.relnamespace
    WHERE NOT x.indisvalid AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%' ${table}
      AND x.indexrelid NOT IN (
        SELECT index_relid FROM pg_catalog.pg_stat_progress_create_index WHERE index_relid IS NOT NULL)
    ORDER BY 1, 2`
}

/**
 * Drops an index with `DROP INDEX CONCURRENTLY IF EXISTS`, outside any transaction.
 * Identifiers cannot be parameters: the statement is built by the server's own
 * quoting (`format('%I')`) from names the catalog gave, never spliced in here.
 *
 * @example
 * ```ts
 * await dropIndexConcurrently(sql, { schema: 'app', name: 'members_email_key', table: 'members' })
 * ```
 */
export async function dropIndexConcurrently(sql: Sql, index: InvalidIndex): Promise<void> {
  const [row] = await sql<{ statement: string }[]>`
    SELECT pg_catalog.format('DROP INDEX CONCURRENTLY IF EXISTS %I.%I', ${index.schema}::text, ${index.name}::text)
      AS statement`
  await sql.unsafe(row!.statement).simple()
}
