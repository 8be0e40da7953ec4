import { SquizzleError } from '../errors/squizzle-error.js'
import { classifyStatement } from './classify-statement.js'
import { splitStatements, type SqlStatement } from './split-statements.js'

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
  let ownTransactionControl = false
  let commitAfter = false
  for (const statement of statements) {
    const cls = classifyStatement(statement)
    const where = `${path}:${statement.line}`
    if (cls.kind === 'copy-from-stdin') {
      throw new SquizzleError('SQL_UNSUPPORTED', `${where}: COPY … FROM STDIN needs data from a psql client`, {
        hint: 'Use INSERT statements, or COPY from a server-side file, instead of inline COPY data.',
        details: { path, line: statement.line },
      })
    }
    if (noTransaction) continue
    if (cls.kind === 'non-transactional') {
      throw new SquizzleError('SQL_NEEDS_NO_TRANSACTION', `${where}: ${cls.what} cannot run inside a transaction`, {
        hint: `Put it in a file of its own whose first line is "${noTransactionDirective}"; that file then runs statement by statement and resumes where it stopped after a failure.`,
        details: { path, line: statement.line, statement: cls.what },
      })
    }
    if (cls.kind === 'transaction-abort') {
      throw new SquizzleError('SQL_UNSUPPORTED', `${where}: ${cls.what} inside a migration file`, {
        hint: `Squizzle runs the file in its own transaction. Remove the statement, or add "${noTransactionDirective}" to manage transactions yourself.`,
        details: { path, line: statement.line },
      })
    }
    if (cls.kind === 'transaction-control') ownTransactionControl = true
    if (cls.kind === 'enum-add-value') commitAfter = true
  }
  return { statements, transaction: !noTransaction, ownTransactionControl, commitAfter }
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
