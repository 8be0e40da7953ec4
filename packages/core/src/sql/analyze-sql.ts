import { SquizzleError } from '../errors/squizzle-error.js'
import { classifyStatement, type StatementClass } from './classify-statement.js'
import { scriptPieces } from './script-pieces.js'
import { splitStatements, type SqlStatement } from './split-statements.js'

/**
 * Pieces a streamed analysis parses at a time. A piece's parse tree (and its JSON) is many
 * times its text: at 32 KB the piece, its JSON and its tree stay below V8's large-object size
 * (128 KB) and die young, where garbage is cheap; 256 KB pieces made strings of about 1 MB,
 * allocated in the old generation and freed only by a full collection (a 52 MB seed's build
 * peaked at 203 MB RSS with 256 KB pieces, 163 MB with 32 KB).
 */
const analysisPieceChars = 32 * 1024

/** The directive that marks a file to run outside any transaction. */
export const noTransactionDirective = '-- squizzle:no-transaction'

/** What a file needs from the transaction it runs in. */
export interface SqlAnalysis {
  statements: SqlStatement[]
  /** False when the file must run outside a transaction, statement by statement. */
  transaction: boolean
  /** True when the file's own `BEGIN`/`COMMIT` must be replaced by Squizzle's transaction. */
  ownTransactionControl: boolean
  /** True when later files must not share this file's transaction (`ALTER TYPE … ADD VALUE`). */
  commitAfter: boolean
}

/**
 * Parses a migration file and decides how it must run, refusing what cannot run
 * safely: non-transactional statements without the directive, `ROLLBACK` in a
 * transactional file, `COPY … FROM STDIN`. `options.noTransaction` has the effect
 * of the directive for files declared non-transactional in the project's config.
 *
 * @example
 * ```ts
 * const a = await analyzeSql('-- squizzle:no-transaction\nCREATE INDEX CONCURRENTLY i ON t (x);', 'migrations/002.sql')
 * a.transaction // false
 * ```
 */
export async function analyzeSql(
  sql: string,
  path: string,
  options: { noTransaction?: boolean } = {},
): Promise<SqlAnalysis> {
  const statements = await splitStatements(sql, path)
  // The project may declare the file non-transactional outside its bytes (config `noTransaction`).
  const noTransaction = options.noTransaction === true || hasNoTransactionDirective(sql)
  const flags = { ownTransactionControl: false, commitAfter: false }
  for (const statement of statements) checkStatement(statement, path, noTransaction, flags)
  return { statements, transaction: !noTransaction, ...flags }
}

/**
 * {@link analyzeSql} of a file that arrives as UTF-8 bytes, in bounded memory: it is
 * parsed piece by piece (about 32 KB each, cut where statements end) and each
 * piece's statements are checked and dropped, so a seed of any size costs a piece and its parse tree.
 * Same verdicts, same errors and lines; the statements are not kept.
 *
 * @example
 * ```ts
 * const { transaction } = await analyzeSqlStream(createReadStream('db/seed/001_rows.sql'), 'seed/001_rows.sql')
 * ```
 */
export async function analyzeSqlStream(
  bytes: AsyncIterable<Buffer>,
  path: string,
  options: { noTransaction?: boolean } = {},
): Promise<Omit<SqlAnalysis, 'statements'>> {
  let noTransaction: boolean | undefined
  const flags = { ownTransactionControl: false, commitAfter: false }
  for await (const piece of scriptPieces(bytes, analysisPieceChars)) {
    // The directive sits in the leading comments: in the first piece.
    noTransaction ??= options.noTransaction === true || hasNoTransactionDirective(piece.text)
    for (const statement of await splitStatements(piece.text, path, piece.line)) {
      checkStatement(statement, path, noTransaction, flags)
    }
  }
  return { transaction: !(noTransaction ?? options.noTransaction === true), ...flags }
}

/** Refuses what cannot run safely (see {@link analyzeSql}) and notes what the statement needs. */
function checkStatement(
  statement: SqlStatement,
  path: string,
  noTransaction: boolean,
  flags: { ownTransactionControl: boolean; commitAfter: boolean },
): void {
  const cls = classifyStatement(statement)
  refuseUnrunnable(cls, statement.line, path, noTransaction)
  if (noTransaction) return
  if (cls.kind === 'transaction-control') flags.ownTransactionControl = true
  if (cls.kind === 'enum-add-value') flags.commitAfter = true
}

/**
 * Throws for a statement the file cannot run: COPY from the client anywhere, and in a transactional file a
 * statement that cannot run in a transaction or transaction control Squizzle cannot honour.
 */
function refuseUnrunnable(cls: StatementClass, line: number, path: string, noTransaction: boolean): void {
  const where = `${path}:${line}`
  if (cls.kind === 'copy-from-stdin') {
    throw new SquizzleError('SQL_UNSUPPORTED', `${where}: COPY … FROM STDIN needs data from a psql client`, {
      hint: 'Use INSERT statements, or COPY from a server-side file, instead of inline COPY data.',
      details: { path, line },
    })
  }
  if (noTransaction) return
  if (cls.kind === 'non-transactional') {
    throw new SquizzleError('SQL_NEEDS_NO_TRANSACTION', `${where}: ${cls.what} cannot run inside a transaction`, {
      hint:
        `Put it in a file of its own whose first line is "${noTransactionDirective}"; that file then runs ` +
        `statement by statement and resumes where it stopped after a failure.`,
      details: { path, line, statement: cls.what },
    })
  }
  if (cls.kind === 'transaction-abort') {
    throw new SquizzleError('SQL_UNSUPPORTED', `${where}: ${cls.what} inside a migration file`, {
      hint:
        `Squizzle runs the file in its own transaction. Remove the statement, or add ` +
        `"${noTransactionDirective}" to manage transactions yourself.`,
      details: { path, line },
    })
  }
}

/**
 * True when the file's leading comment block holds `-- squizzle:no-transaction`.
 *
 * @example
 * ```ts
 * hasNoTransactionDirective('-- squizzle:no-transaction\nVACUUM;') // true
 * ```
 */
export function hasNoTransactionDirective(sql: string): boolean {
  for (const raw of sql.split('\n', 50)) {
    const line = raw.trim()
    if (line === '') continue
    if (!line.startsWith('--')) return false
    if (/^--\s*squizzle:no-transaction\s*$/i.test(line)) return true
  }
  return false
}

/**
 * The statements to run for a file: its own `BEGIN`/`COMMIT` removed when
 * Squizzle's transaction replaces them.
 *
 * @example
 * ```ts
 * const run = runnableStatements(analysis)
 * ```
 */
export function runnableStatements(analysis: SqlAnalysis): SqlStatement[] {
  if (!analysis.ownTransactionControl) return analysis.statements
  return analysis.statements.filter((s) => classifyStatement(s).kind !== 'transaction-control')
}
