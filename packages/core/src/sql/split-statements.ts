import type { ParseResult } from 'libpg-query'
import { SquizzleError } from '../errors/squizzle-error.js'
import { nextTopLevelSemicolon } from './statement-cuts.js'

/** One statement of a SQL file, as PostgreSQL's own parser sees it. */
export interface SqlStatement {
  /** 0-based position in the file. */
  index: number
  /** The statement's text, without the trailing semicolon. */
  text: string
  /** 1-based line where it starts. */
  line: number
  /** The parse node's type, e.g. `CreateStmt`, `IndexStmt`, `TransactionStmt`. */
  nodeType: string
  /** The parse node (libpg-query JSON). */
  node: Record<string, unknown>
}

/** Files larger than this are parsed in chunks so the WASM parser's memory stays bounded. */
const chunkChars = 1024 * 1024

// libpg-query (its JS and a 1.7 MB WASM parser) is imported on the first parse, not when
// core is imported: most runs (push, pull, list, status, verify) never parse SQL.
let loaded: Promise<(sql: string) => ParseResult> | undefined

async function loadParser(): Promise<(sql: string) => ParseResult> {
  const pgQuery = await import('libpg-query')
  await pgQuery.loadModule()
  return pgQuery.parseSync
}

/**
 * Splits SQL into statements with PostgreSQL's parser (libpg-query): dollar
 * quotes, comments, `E''` strings, function bodies and `BEGIN ATOMIC` are all
 * handled as PostgreSQL handles them. Throws `SQL_PARSE_ERROR` with the line.
 *
 * @example
 * ```ts
 * const statements = await splitStatements('CREATE TABLE t (id int); SELECT 1;', 'migrations/001.sql')
 * statements.map((s) => s.nodeType) // ['CreateStmt', 'SelectStmt']
 * ```
 */
export async function splitStatements(sql: string, path = 'SQL'): Promise<SqlStatement[]> {
  loaded ??= loadParser()
  const parseSync = await loaded
  const out: SqlStatement[] = []
  let start = 0
  let line = 1
  while (start < sql.length) {
    let end = sql.length <= start + chunkChars ? sql.length : cutAfter(sql, start, start + chunkChars)
    let more = 1024
    for (;;) {
      const chunk = sql.slice(start, end)
      const parsed = tryParse(parseSync, chunk)
      if (parsed.ok) {
        appendStatements(out, chunk, parsed.result, line)
        break
      }
      // A cut inside a statement the lexer cannot see (e.g. BEGIN ATOMIC) fails at the
      // end of the chunk: take more text, twice as much each time, so a long body costs
      // few parses. An error before the end is in the SQL itself and would fail every
      // longer chunk the same way, so report it now.
      if (end >= sql.length || !failedAtEnd(chunk, parsed.error)) throw parseError(path, sql, start, parsed.error)
      end = cutAfter(sql, end, end + more)
      more *= 2
    }
    line += countLines(sql, start, end)
    start = end
  }
  return out
}

/**
 * The end of the first top-level `;` at or after `minEnd`, scanning statement by
 * statement from `from` (a statement boundary), so quotes, dollar quotes and
 * comments are tracked from a known state rather than guessed mid-string.
 */
function cutAfter(sql: string, from: number, minEnd: number): number {
  let cut = from
  while (cut < minEnd) {
    const next = nextTopLevelSemicolon(sql, cut)
    if (next === -1) return sql.length
    cut = next
  }
  return cut
}

/** True when the parser ran out of input (or out of a quoted string) rather than meeting a bad token. */
function failedAtEnd(chunk: string, error: unknown): boolean {
  const details = sqlDetails(error)
  if (details?.cursorPosition === undefined) return true
  if (details.message?.startsWith('unterminated')) return true
  return advanceCodePoints(chunk, 0, details.cursorPosition) >= chunk.trimEnd().length
}

function tryParse(
  parseSync: (sql: string) => ParseResult,
  chunk: string,
): { ok: true; result: ParseResult } | { ok: false; error: unknown } {
  if (chunk.trim() === '') return { ok: true, result: { version: 0, stmts: [] } as unknown as ParseResult }
  try {
    return { ok: true, result: parseSync(chunk) }
  } catch (error) {
    return { ok: false, error }
  }
}

function appendStatements(out: SqlStatement[], chunk: string, result: ParseResult, firstLine: number): void {
  const bytes = Buffer.from(chunk, 'utf8')
  let line = firstLine
  let lineCountedTo = 0
  for (const raw of result.stmts ?? []) {
    const location = raw.stmt_location ?? 0
    const length = raw.stmt_len ?? 0
    const text = bytes
      .subarray(location, length === 0 ? bytes.length : location + length)
      .toString('utf8')
      .trimEnd()
    if (text.trim() === '') continue
    line += countNewlines(bytes, lineCountedTo, location)
    lineCountedTo = location
    const node = raw.stmt as Record<string, unknown>
    const nodeType = Object.keys(node)[0] ?? 'Unknown'
    out.push({ index: out.length, text, line, nodeType, node: (node[nodeType] ?? {}) as Record<string, unknown> })
  }
}

function countNewlines(bytes: Buffer, from: number, to: number): number {
  let count = 0
  for (let i = bytes.indexOf(10, from); i !== -1 && i < to; i = bytes.indexOf(10, i + 1)) count++
  return count
}

function countLines(sql: string, from: number, to: number): number {
  let count = 0
  for (let i = sql.indexOf('\n', from); i !== -1 && i < to; i = sql.indexOf('\n', i + 1)) count++
  return count
}

function sqlDetails(error: unknown): { cursorPosition?: number; message?: string } | undefined {
  return (error as { sqlDetails?: { cursorPosition?: number; message?: string } } | null)?.sqlDetails
}

/**
 * The string index `count` characters after `from`. libpg-query reports an error's
 * `cursorPosition` as a 0-based count of characters (code points), not bytes.
 */
function advanceCodePoints(text: string, from: number, count: number): number {
  let i = from
  for (let n = 0; n < count && i < text.length; n++) {
    const c = text.charCodeAt(i)
    i += c >= 0xd800 && c <= 0xdbff ? 2 : 1
  }
  return Math.min(i, text.length)
}

function parseError(path: string, sql: string, chunkStart: number, error: unknown): SquizzleError {
  const details = sqlDetails(error)
  const line = countLines(sql, 0, advanceCodePoints(sql, chunkStart, details?.cursorPosition ?? 0)) + 1
  const message = details?.message ?? (error instanceof Error ? error.message : String(error))
  return new SquizzleError('SQL_PARSE_ERROR', `${path}:${line}: ${message}`, {
    hint: 'Fix the SQL so PostgreSQL can parse it. psql meta-commands (\\connect, \\copy, COPY … FROM stdin data) are not SQL and cannot be bundled.',
    details: { path, line },
    cause: error,
  })
}
