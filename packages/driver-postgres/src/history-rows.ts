import {
  validateManifest,
  type AuditInput,
  type HistoryEntry,
  type HistoryEntryInput,
  type Manifest,
  type ProgressEntry,
  type ProgressInput,
} from '@squizzle/core'
import type { Sql } from 'postgres'
import { systemSchemaSeen, type SchemaPresence } from './system-schema.js'

/** A history row as the query sends it: one JSON document for the whole history. */
interface HistoryRow {
  id: number
  operation: HistoryEntry['operation']
  version: string
  status: HistoryEntry['status']
  manifest_digest: string | null
  checksum: string | null
  notes: string | null
  actor: string
  host: string
  database_user: string | null
  tool_version: string
  started_at: string
  finished_at: string
  duration_ms: number
  error_code: string | null
  error_message: string | null
  skipped_files: string[]
}

/**
 * Every history row, oldest first (none before the system schema exists: probed unless
 * `presence` has seen it), without its
 * manifest: one query that sends no manifest to the client, and sends the rows as one
 * JSON array (parsed natively: a long history costs the client little). Of the manifest,
 * only what the engine reads of every row comes along, checked as the manifest schema
 * would (notes: a string of at most 65,536 characters), and only the skipped paths the
 * manifest lists (nothing else from the table reaches a terminal).
 *
 * @example
 * ```ts
 * const rows = await readHistory(sql, 'squizzle')
 * ```
 */
export async function readHistory(
  sql: Sql,
  system: string,
  presence: SchemaPresence = { seen: false },
): Promise<HistoryEntry[]> {
  if (!(await systemSchemaSeen(sql, system, presence))) return []
  const [result] = await sql<{ rows: HistoryRow[] }[]>`
    SELECT coalesce(json_agg(h ORDER BY h.id), '[]'::json) AS rows FROM (
      SELECT id, operation, version, status, manifest_digest, checksum, actor, host, database_user, tool_version,
        started_at, finished_at, duration_ms, error_code, error_message,
        CASE WHEN jsonb_typeof(manifest->'notes') = 'string' AND length(manifest->>'notes') <= 65536
          THEN manifest->>'notes' END AS notes,
        CASE WHEN cardinality(skipped_files) > 0 AND jsonb_typeof(manifest->'files') = 'array'
          THEN ARRAY(SELECT p FROM unnest(skipped_files) AS p
            WHERE manifest->'files' @> jsonb_build_array(jsonb_build_object('path', p)))
          ELSE '{}'::text[] END AS skipped_files
      FROM ${sql(system)}.history) h`
  return (result?.rows ?? []).map((r) => toHistoryEntry(r))
}

function toHistoryEntry(r: HistoryRow): HistoryEntry {
  return {
    id: r.id,
    operation: r.operation,
    version: r.version,
    status: r.status,
    manifestDigest: r.manifest_digest,
    checksum: r.checksum,
    notes: r.notes,
    actor: r.actor,
    host: r.host,
    databaseUser: r.database_user,
    toolVersion: r.tool_version,
    startedAt: new Date(r.started_at),
    finishedAt: new Date(r.finished_at),
    durationMs: r.duration_ms,
    error: r.error_code === null ? null : { code: r.error_code, message: r.error_message ?? '' },
    skippedFiles: r.skipped_files,
  }
}

/**
 * The manifest recorded with history row `id`, validated as it is read; null when the
 * row recorded none or there is no such row (or no system schema).
 *
 * @example
 * ```ts
 * const manifest = await readHistoryManifest(sql, 'squizzle', entry.id)
 * ```
 */
export async function readHistoryManifest(
  sql: Sql,
  system: string,
  id: number,
  presence: SchemaPresence = { seen: false },
): Promise<Manifest | null> {
  if (!(await systemSchemaSeen(sql, system, presence))) return null
  const rows = await sql<{ manifest: unknown }[]>`SELECT manifest FROM ${sql(system)}.history WHERE id = ${id}`
  const manifest = rows[0]?.manifest ?? null
  return manifest === null ? null : validateManifest(manifest, `${system}.history row ${id}`)
}

/**
 * Appends a history row. The skipped paths go as JSON: the driver's connections do not
 * fetch array types (see `openSessions`), so postgres.js cannot serialize a text array.
 *
 * @example
 * ```ts
 * await writeHistory(sql, 'squizzle', entry)
 * ```
 */
export async function writeHistory(sql: Sql, system: string, e: HistoryEntryInput): Promise<void> {
  const duration = Math.max(0, e.finishedAt.getTime() - e.startedAt.getTime())
  await sql`
    INSERT INTO ${sql(system)}.history (operation, version, status, manifest_digest, checksum, manifest, actor, host,
      tool_version, started_at, finished_at, duration_ms, error_code, error_message, skipped_files)
    VALUES (${e.operation}, ${e.version}, ${e.status}, ${e.manifestDigest}, ${e.checksum},
      ${e.manifest === null ? null : sql.json(e.manifest as never)}, ${e.actor}, ${e.host}, ${e.toolVersion},
      ${e.startedAt}, ${e.finishedAt}, ${duration}, ${e.error?.code ?? null}, ${e.error?.message ?? null},
      ARRAY(SELECT pg_catalog.jsonb_array_elements_text(${sql.json(e.skippedFiles ?? [])})))`
}

/**
 * Progress rows of a version, oldest first.
 *
 * @example
 * ```ts
 * const done = await readProgress(sql, 'squizzle', '1.2.0')
 * ```
 */
export async function readProgress(sql: Sql, system: string, version: string): Promise<ProgressEntry[]> {
  const rows = await sql<
    { version: string; manifest_digest: string; path: string; statement: number | null; finished_at: Date }[]
  >`
    SELECT version, manifest_digest, path, statement, finished_at FROM ${sql(system)}.progress
    WHERE version = ${version} ORDER BY id`
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
 * await writeProgress(sql, 'squizzle', { version: '1.2.0', manifestDigest, path: 'migrations/004.sql', statement: 2 })
 * ```
 */
export async function writeProgress(sql: Sql, system: string, p: ProgressInput): Promise<void> {
  await sql`INSERT INTO ${sql(system)}.progress (version, manifest_digest, path, statement)
    VALUES (${p.version}, ${p.manifestDigest}, ${p.path}, ${p.statement})`
}

/**
 * Forgets a version's progress rows.
 *
 * @example
 * ```ts
 * await deleteProgress(sql, 'squizzle', '1.2.0')
 * ```
 */
export async function deleteProgress(sql: Sql, system: string, version: string): Promise<void> {
  await sql`DELETE FROM ${sql(system)}.progress WHERE version = ${version}`
}

/**
 * Appends an audit row.
 *
 * @example
 * ```ts
 * const entry = { operation: 'apply', outcome: 'refused', version: '1.2.0', actor, host, details: { code } }
 * await writeAudit(sql, 'squizzle', entry)
 * ```
 */
export async function writeAudit(sql: Sql, system: string, a: AuditInput): Promise<void> {
  await sql`INSERT INTO ${sql(system)}.audit (operation, outcome, version, actor, host, details)
    VALUES (${a.operation}, ${a.outcome}, ${a.version}, ${a.actor}, ${a.host}, ${sql.json(a.details as never)})`
}
