import type { KeptFile } from '@squizzle/core'
import type { Sql } from 'postgres'

/**
 * Keeps a version's files for its rollback; a file already kept for the same
 * artifact and path stays as it is (its bytes are fixed by the digest).
 *
 * @example
 * ```ts
 * const file = { path: 'rollback/006_view.sql', sha256, content: 'DROP VIEW v;' }
 * await writeKeptFiles(sql, 'squizzle', '1.2.0', digest, [file])
 * ```
 */
export async function writeKeptFiles(
  sql: Sql,
  system: string,
  version: string,
  manifestDigest: string,
  files: readonly KeptFile[],
): Promise<void> {
  for (const f of files) {
    await sql`INSERT INTO ${sql(system)}.rollback_script (manifest_digest, path, version, sha256, sql)
      VALUES (${manifestDigest}, ${f.path}, ${version}, ${f.sha256}, ${f.content})
      ON CONFLICT (manifest_digest, path) DO NOTHING`
  }
}

/**
 * The files kept for an artifact, by path; none before the table exists.
 *
 * @example
 * ```ts
 * const files = await readKeptFiles(sql, 'squizzle', digest)
 * ```
 */
export async function readKeptFiles(sql: Sql, system: string, manifestDigest: string): Promise<KeptFile[]> {
  const present = await sql<{ present: boolean }[]>`
    SELECT to_regclass(quote_ident(${system}) || '.rollback_script') IS NOT NULL AS present`
  if (!present[0]?.present) return []
  const rows = await sql<{ path: string; sha256: string; sql: string }[]>`
    SELECT path, sha256, sql FROM ${sql(system)}.rollback_script
    WHERE manifest_digest = ${manifestDigest} ORDER BY path`
  return rows.map((r) => ({ path: r.path, sha256: r.sha256, content: r.sql }))
}
