import { resetSession } from '../statement-runner.js'
import { claim, guard, keep, markApplied, progress, success, systemSchema, takeLock } from './offline-bookkeeping.js'
import type { OfflineFile, OfflineScriptInput, OfflineVersion } from './offline-types.js'

export type { OfflineScriptInput } from './offline-types.js'

/**
 * One SQL script for psql that does what `squizzle apply` does from `from` to the
 * last version, for a person to review and run by hand (Alembic's `upgrade --sql`):
 * the migration lock, the system schema, a guard that stops (changing nothing) unless
 * the database is at `from`, then per version the segments apply runs, each
 * transactional one between its own BEGIN and COMMIT, files outside a transaction
 * statement by statement, and the rows apply writes (applied mark, progress, kept
 * rollback SQL and snapshot, history, audit) in the same transactions. Every value is
 * a dollar-quoted literal. Run it with `psql -v ON_ERROR_STOP=1 -f FILE`, not with
 * `-1`: files outside a transaction cannot run inside one.
 *
 * @example
 * ```ts
 * const systemFiles = await systemSchemaFiles()
 * const input = { from, versions, above, systemFiles, toolVersion, source, renderedAt: new Date() }
 * const script = renderOfflineScript(input)
 * ```
 */
export function renderOfflineScript(input: OfflineScriptInput): string {
  const parts = [
    ...header(input),
    '\\set ON_ERROR_STOP on',
    '',
    '-- The migration lock `squizzle apply` takes, held by this session until it ends.',
    takeLock(),
    '',
    '-- The system schema, created or brought up to date;',
    '-- then the guard: the database must be where the script starts.',
    'BEGIN;',
    ...systemSchema(input.systemFiles),
    guard(input),
    'COMMIT;',
    ...input.versions.flatMap((v) => ['', ...versionSection(v, input.toolVersion)]),
    '',
    `-- Done: the database is at ${input.versions.at(-1)?.manifest.version ?? '(unchanged)'}.`,
    '',
  ]
  return parts.join('\n')
}

function header(input: OfflineScriptInput): string[] {
  const from = input.from ? `${input.from.version} (${input.from.digest})` : 'a database with no version'
  return [
    `-- Squizzle offline script: ${from} → ${input.versions.at(-1)?.manifest.version ?? '?'}`,
    `-- Rendered by squizzle ${input.toolVersion} at ${input.renderedAt.toISOString()} from ${input.source};`,
    '-- every byte of every version below was verified (digest, file hashes, checksum, signature policy) first.',
    '-- Versions:',
    ...input.versions.map((v) => `--   ${v.manifest.version}  ${v.digest}${noTransactionNote(v)}`),
    '-- Run it with: psql -v ON_ERROR_STOP=1 -f THIS_FILE "$DATABASE_URL"',
    '-- With -1 (--single-transaction) it runs the same, but not as one transaction: each version brings its own',
    '-- BEGIN and COMMIT (psql warns about the nesting), as files outside a transaction, such as CREATE INDEX',
    '-- CONCURRENTLY, need. It stops, changing nothing, unless the database is at the version it starts from:',
    '-- running it twice fails safely at the guard.',
    '',
  ]
}

function noTransactionNote(v: OfflineVersion): string {
  const outside = v.segments.filter((s) => !s.transactional).length
  return outside === 0 ? '' : `  (${outside} file${outside === 1 ? '' : 's'} outside a transaction)`
}

/** One version: its claim when it commits more than once, its segments, then its last transaction. */
function versionSection(v: OfflineVersion, toolVersion: string): string[] {
  const { version } = v.manifest
  const multiStep = v.segments.length > 1 || v.segments.some((s) => !s.transactional)
  const notes = v.manifest.notes ? `: ${oneLine(v.manifest.notes)}` : ''
  const lines = [`-- ─── version ${version} (${v.digest})${notes}`]
  const claimNote = '-- It commits more than once: claimed first, so no other run starts it meanwhile.'
  if (multiStep) lines.push(claimNote, claim(v))
  const last = v.segments.at(-1)
  const before = last?.transactional ? v.segments.slice(0, -1) : v.segments
  for (const segment of before) {
    const files = segment.files.flatMap((f) => [...fileLines(f), progress(v, f.path, null)])
    if (segment.transactional) lines.push('BEGIN;', ...files, 'COMMIT;')
    else lines.push(...segment.files.flatMap((f) => outsideTransaction(v, f)))
  }
  lines.push(
    `-- ${version}'s last transaction: the applied mark first, its files, what a rollback needs, the history row.`,
    'BEGIN;',
    ...markApplied(v, multiStep),
    ...(last?.transactional ? last.files.flatMap((f) => fileLines(f)) : []),
    ...keep(v, v.kept),
    ...success(v, toolVersion),
    'COMMIT;',
  )
  return lines
}

/** A file in a transaction: its text as verified, then the session reset the driver runs after every file. */
function fileLines(file: OfflineFile): string[] {
  const text = file.transactional ? file.sql : file.statements.join(';\n')
  return [`-- file ${file.path}`, text, ';', `${resetSession};`]
}

/** A file outside any transaction: each statement on its own, recorded as done right after it, so apply can resume. */
function outsideTransaction(v: OfflineVersion, file: OfflineFile): string[] {
  const statements = file.transactional ? [file.sql] : file.statements
  return [
    `-- file ${file.path}: outside a transaction, statement by statement`,
    ...statements.flatMap((s, i) => [`${s};`, progress(v, file.path, i)]),
    `${resetSession};`,
    progress(v, file.path, null),
  ]
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim()
}
