import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import type { ManifestFile, SqlKind } from '../manifest/manifest.js'
import { analyzeSql, analyzeSqlStream, type SqlAnalysis } from '../sql/analyze-sql.js'

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
  return entryOf(path, kind, bytes.length, sha256, analysis)
}

/**
 * {@link manifestEntry} of a file on disk, read once as a stream: hashed and analysed
 * piece by piece, so a seed of any size costs about a megabyte of SQL in memory.
 *
 * @example
 * ```ts
 * const entry = await manifestEntryOfFile('seed/001_rows.sql', 'seed', 'db/seed/001_rows.sql', false)
 * ```
 */
export async function manifestEntryOfFile(
  path: string,
  kind: SqlKind,
  file: string,
  noTransaction: boolean,
): Promise<ManifestFile> {
  const hash = createHash('sha256')
  let size = 0
  async function* counted(): AsyncGenerator<Buffer> {
    for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 }) as AsyncIterable<Buffer>) {
      hash.update(chunk)
      size += chunk.length
      yield chunk
    }
  }
  const analysis = await analyzeSqlStream(counted(), path, { noTransaction })
  return entryOf(path, kind, size, hash.digest('hex'), analysis)
}

/**
 * The lower-case hex SHA-256 of a file on disk, read as a stream.
 *
 * @example
 * ```ts
 * const sha256 = await sha256OfFile('db/migrations/001_init.sql')
 * ```
 */
export async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256')
  // A read buffer no larger than the file: build hashes every released file, and a megabyte
  // each for a thousand small ones is a gigabyte of garbage for the collector.
  const highWaterMark = Math.min(Math.max((await stat(file)).size, 1), 1024 * 1024)
  for await (const chunk of createReadStream(file, { highWaterMark }) as AsyncIterable<Buffer>) hash.update(chunk)
  return hash.digest('hex')
}

function entryOf(
  path: string,
  kind: SqlKind,
  size: number,
  sha256: string,
  analysis: Omit<SqlAnalysis, 'statements'>,
): ManifestFile {
  const entry: ManifestFile = { path, kind, size, sha256, transaction: analysis.transaction }
  if (analysis.commitAfter) entry.commitAfter = true
  if (analysis.ownTransactionControl) entry.ownTransactionControl = true
  return entry
}
