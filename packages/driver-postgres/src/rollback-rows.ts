import type { RollbackScript } from '@squizzle/core'
import type { Sql } from 'postgres'

/**
 * Keeps a version's rollback files; a script already kept for the same
 * artifact and path stays as it is (its bytes are fixed by the digest).
 *
 * @example
 * ```ts
 * await writeRollbackScripts(sql, '1.2.0', digest, [{ path: 'rollback/006_view.sql', sha256, sql: 'DROP VIEW v;' }])
 * ```
 */
export async function writeRollbackScripts(sql: Sql, version: string, manifestDigest: string, scripts: readonly RollbackScript[]): Promise<void> {
  for (const s of scripts) {
    await sql`INSERT INTO squizzle.rollback_script (manifest_digest, path, version, sha256, sql)
      VALUES (${manifestDigest}, ${s.path}, ${version}, ${s.sha256}, ${s.sql})
      ON CONFLICT (manifest_digest, path) DO NOTHING`
  }
}

/**
 * The rollback files kept for an artifact, by path.
 *
 * @example
 * ```ts
 * const scripts = await readRollbackScripts(sql, digest)
 * ```
 */
export async function readRollbackScripts(sql: Sql, manifestDigest: string): Promise<RollbackScript[]> {
  const present = await sql<{ present: boolean }[]>`SELECT to_regclass('squizzle.rollback_script') IS NOT NULL AS present`
  if (!present[0]?.present) return []
  const rows = await sql<{ path: string; sha256: string; sql: string }[]>`
    SELECT path, sha256, sql FROM squizzle.rollback_script WHERE manifest_digest = ${manifestDigest} ORDER BY path`
  return rows.map((r) => ({ path: r.path, sha256: r.sha256, sql: r.sql }))
}
