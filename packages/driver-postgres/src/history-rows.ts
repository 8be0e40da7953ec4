import {
  validateManifest,
  type AuditInput,
  type HistoryEntry,
  type HistoryEntryInput,
  type ProgressEntry,
  type ProgressInput,
} from '@squizzle/core'
import type { Sql } from 'postgres'
import { hasSystemSchema } from './system-schema.js'

interface HistoryRow {
  id: string
  operation: HistoryEntry['operation']
  version: string
  status: HistoryEntry['status']
  manifest_digest: string | null
  checksum: string | null
  manifest: unknown
  actor: string
  host: string
  database_user: string | null
  tool_version: string
  started_at: Date
  finished_at: Date
  duration_ms: string
  error_code: string | null
  error_message: string | null
  skipped_files: string[] | null
}

/**
 * Every history row, oldest first (none before the system schema exists);
 * manifests are validated as they are read.
 *
 * @example
 * ```ts
 * const rows = await readHistory(sql)
 * ```
 */
export async function readHistory(sql: Sql): Promise<HistoryEntry[]> {
  if (!(await hasSystemSchema(sql))) return []
  const rows = await sql<HistoryRow[]>`SELECT * FROM squizzle.history ORDER BY id`
  return rows.map((r) => toHistoryEntry(r))
}

function toHistoryEntry(r: HistoryRow): HistoryEntry {
  const manifest = r.manifest === null ? null : validateManifest(r.manifest, `squizzle.history row ${r.id}`)
  return {
    id: Number(r.id),
    operation: r.operation,
    version: r.version,
    status: r.status,
    manifestDigest: r.manifest_digest,
    checksum: r.checksum,
    manifest,
    actor: r.actor,
    host: r.host,
    databaseUser: r.database_user,
    toolVersion: r.tool_version,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    durationMs: Number(r.duration_ms),
    error: r.error_code === null ? null : { code: r.error_code, message: r.error_message ?? '' },
    // Only paths the row's own (validated) manifest lists: nothing else from the table reaches a terminal.
    skippedFiles: (r.skipped_files ?? []).filter((path) => manifest?.files.some((f) => f.path === path)),
  }
}

/**
 * Appends a history row.
 *
 * @example
 * ```ts
 * await writeHistory(sql, entry)
 * ```
 */
export async function writeHistory(sql: Sql, e: HistoryEntryInput): Promise<void> {
  const duration = Math.max(0, e.finishedAt.getTime() - e.startedAt.getTime())
  await sql`
    INSERT INTO squizzle.history (operation, version, status, manifest_digest, checksum, manifest, actor, host,
      tool_version, started_at, finished_at, duration_ms, error_code, error_message, skipped_files)
    VALUES (${e.operation}, ${e.version}, ${e.status}, ${e.manifestDigest}, ${e.checksum},
      ${e.manifest === null ? null : sql.json(e.manifest as never)}, ${e.actor}, ${e.host}, ${e.toolVersion},
      ${e.startedAt}, ${e.finishedAt}, ${duration}, ${e.error?.code ?? null}, ${e.error?.message ?? null},
      ${sql.array(e.skippedFiles ?? [])})`
}

/**
 * Progress rows of a version, oldest first.
 *
 * @example
 * ```ts
 * const done = await readProgress(sql, '1.2.0')
 * ```
 */
export async function readProgress(sql: Sql, version: string): Promise<ProgressEntry[]> {
  const rows = await sql<
    { version: string; manifest_digest: string; path: string; statement: number | null; finished_at: Date }[]
  >`
    SELECT version, manifest_digest, path, statement, finished_at FROM squizzle.progress WHERE version = ${version} ORDER BY id`
  return rows.map((r) => ({
    version: r.version,
    manifestDigest: r.manifest_digest,
    path: r.path,
    statement: r.statement,
    finishedAt: r.finished_at,
  }))
}

/**
 * Appends a progress row.
 *
 * @example
 * ```ts
 * await writeProgress(sql, { version: '1.2.0', manifestDigest, path: 'migrations/004.sql', statement: 2 })
 * ```
 */
export async function writeProgress(sql: Sql, p: ProgressInput): Promise<void> {
  await sql`INSERT INTO squizzle.progress (version, manifest_digest, path, statement) VALUES (${p.version}, ${p.manifestDigest}, ${p.path}, ${p.statement})`
}

/**
 * Forgets a version's progress rows.
 *
 * @example
 * ```ts
 * await deleteProgress(sql, '1.2.0')
 * ```
 */
export async function deleteProgress(sql: Sql, version: string): Promise<void> {
  await sql`DELETE FROM squizzle.progress WHERE version = ${version}`
}

/**
 * Appends an audit row.
 *
 * @example
 * ```ts
 * await writeAudit(sql, { operation: 'apply', outcome: 'refused', version: '1.2.0', actor, host, details: { code } })
 * ```
 */
export async function writeAudit(sql: Sql, a: AuditInput): Promise<void> {
  await sql`INSERT INTO squizzle.audit (operation, outcome, version, actor, host, details)
    VALUES (${a.operation}, ${a.outcome}, ${a.version}, ${a.actor}, ${a.host}, ${sql.json(a.details as never)})`
}
