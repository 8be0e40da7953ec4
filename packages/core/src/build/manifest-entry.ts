import { createHash } from 'node:crypto'
import type { ManifestFile, SqlKind } from '../manifest/manifest.js'
import { analyzeSql } from '../sql/analyze-sql.js'

/**
 * The manifest entry of a SQL file as build writes it: size, SHA-256 and the
 * transaction flags the SQL analysis gives (`noTransaction`: the project declared
 * that the file runs outside a transaction).
 *
 * @example
 * ```ts
 * const entry = await manifestEntry('migrations/003_x.sql', 'migrations', await readFile(file), false)
 * ```
 */
export async function manifestEntry(
  path: string,
  kind: SqlKind,
  bytes: Buffer,
  noTransaction: boolean,
): Promise<ManifestFile> {
  const sha256 = createHash('sha256').update(bytes).digest('hex')
  const analysis = await analyzeSql(bytes.toString('utf8'), path, { noTransaction })
  const entry: ManifestFile = { path, kind, size: bytes.length, sha256, transaction: analysis.transaction }
  if (analysis.commitAfter) entry.commitAfter = true
  if (analysis.ownTransactionControl) entry.ownTransactionControl = true
  return entry
}
