import { createHash } from 'node:crypto'
import type { Sql } from 'postgres'

/**
 * Creates the store's schema and its three tables, once, under a transaction-scoped
 * advisory lock (two first pushes at once must not race on `CREATE … IF NOT EXISTS`):
 * - `blobs`: one row per stored blob or manifest, inserted in the transaction that wrote
 *   all its chunks and checked its digest, so a row exists only for complete, verified content;
 * - `chunks`: the bytes, in pieces of at most `chunkBytes`, so nothing large is ever held in memory;
 * - `tags`: a tag (a version, or the `sha256-…` referrers tag) pointing at a stored manifest.
 *
 * @example
 * ```ts
 * await createTables(sql, 'squizzle_store')
 * ```
 */
export async function createTables(sql: Sql, schema: string): Promise<void> {
  await sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(${lockKey(schema)}::bigint)`
    await tx`CREATE SCHEMA IF NOT EXISTS ${tx(schema)}`
    await tx`
      CREATE TABLE IF NOT EXISTS ${tx(`${schema}.blobs`)} (
        digest text PRIMARY KEY CHECK (digest ~ '^sha256:[0-9a-f]{64}$'),
        media_type text NOT NULL,
        artifact_type text,
        size bigint NOT NULL CHECK (size >= 0),
        stored_at timestamptz NOT NULL DEFAULT now()
      )`
    await tx`
      CREATE TABLE IF NOT EXISTS ${tx(`${schema}.chunks`)} (
        digest text NOT NULL REFERENCES ${tx(`${schema}.blobs`)} ON DELETE CASCADE,
        seq integer NOT NULL CHECK (seq >= 0),
        data bytea NOT NULL,
        PRIMARY KEY (digest, seq)
      )`
    await tx`
      CREATE TABLE IF NOT EXISTS ${tx(`${schema}.tags`)} (
        tag text PRIMARY KEY,
        digest text NOT NULL REFERENCES ${tx(`${schema}.blobs`)},
        tagged_at timestamptz NOT NULL DEFAULT now()
      )`
  })
}

/** A stable advisory-lock key per schema name (64 bits of its SHA-256), as text for a bigint parameter. */
function lockKey(schema: string): string {
  const hex = createHash('sha256').update(`squizzle-pgtable:${schema}`).digest('hex').slice(0, 16)
  return BigInt.asIntN(64, BigInt(`0x${hex}`)).toString()
}

/** True for the errors PostgreSQL raises when the store's schema or tables do not exist yet. */
export function isMissingStore(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code
  return code === '42P01' || code === '3F000'
}
