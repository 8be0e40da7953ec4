import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { isSquizzleError } from '../errors/squizzle-error.js'
import {
  analyzeSql,
  analyzeSqlStream,
  hasNoTransactionDirective,
  noTransactionDirective,
  runnableStatements,
} from './analyze-sql.js'

async function errorOf(
  sql: string,
  path = 'migrations/001.sql',
): Promise<{ code: string; details?: Record<string, unknown> }> {
  try {
    await analyzeSql(sql, path)
  } catch (err) {
    if (isSquizzleError(err)) return err
    throw err
  }
  throw new Error('expected a SquizzleError')
}

describe('analyzeSql', () => {
  it('runs ordinary SQL in a transaction with no special flags', async () => {
    const a = await analyzeSql('CREATE TABLE t (id int);\nINSERT INTO t VALUES (1);', 'migrations/001.sql')
    expect(a).toMatchObject({ transaction: true, ownTransactionControl: false, commitAfter: false })
    expect(a.statements).toHaveLength(2)
  })

  it('runs a file with the no-transaction directive outside any transaction', async () => {
    const a = await analyzeSql(
      `${noTransactionDirective}\nCREATE INDEX CONCURRENTLY i ON t (x);\nVACUUM t;`,
      'migrations/002.sql',
    )
    expect(a.transaction).toBe(false)
    expect(a.statements.map((s) => s.nodeType)).toEqual(['IndexStmt', 'VacuumStmt'])
  })

  it('runs a file declared non-transactional by the project (no directive in its bytes) outside any transaction', async () => {
    const a = await analyzeSql('CREATE INDEX CONCURRENTLY i ON t (x);', 'migrations/002.sql', { noTransaction: true })
    expect(a.transaction).toBe(false)
  })

  it('refuses a non-transactional statement without the directive (SQL_NEEDS_NO_TRANSACTION), naming its line', async () => {
    const err = await errorOf(
      'CREATE TABLE t (id int);\n\nCREATE INDEX CONCURRENTLY i ON t (id);',
      'migrations/002.sql',
    )
    expect(err.code).toBe('SQL_NEEDS_NO_TRANSACTION')
    expect(err.details).toMatchObject({ path: 'migrations/002.sql', line: 3 })
  })

  it.each([
    ["ALTER SYSTEM SET work_mem = '64MB';", 'ALTER SYSTEM'],
    ['VACUUM ANALYZE t;', 'VACUUM'],
    ['REINDEX TABLE CONCURRENTLY t;', 'REINDEX CONCURRENTLY'],
    ['DROP INDEX CONCURRENTLY i;', 'DROP INDEX CONCURRENTLY'],
    ['CREATE DATABASE other;', 'CREATE DATABASE'],
  ])('refuses %j without the directive, naming the statement and the fix', async (sql, what) => {
    let caught: unknown
    await analyzeSql(
      `CREATE TABLE t (id int);
${sql}`,
      'migrations/009.sql',
    ).catch((e: unknown) => (caught = e))
    expect(isSquizzleError(caught) && caught.code).toBe('SQL_NEEDS_NO_TRANSACTION')
    const err = caught as { message: string; hint?: string; details?: Record<string, unknown> }
    expect(err.details).toMatchObject({ path: 'migrations/009.sql', line: 2, statement: what })
    expect(err.message).toContain(`migrations/009.sql:2: ${what}`)
    expect(err.hint).toContain(noTransactionDirective)
  })

  it.each(['ROLLBACK;', 'BEGIN;\nDELETE FROM t;\nROLLBACK;', "PREPARE TRANSACTION 'x';"])(
    'refuses %j in a transactional file (SQL_UNSUPPORTED)',
    async (sql) => {
      expect((await errorOf(sql)).code).toBe('SQL_UNSUPPORTED')
    },
  )

  it('allows ROLLBACK in a file that manages its own transactions with the directive', async () => {
    await expect(
      analyzeSql(`${noTransactionDirective}\nBEGIN;\nDELETE FROM t;\nROLLBACK;`, 'm.sql'),
    ).resolves.toMatchObject({ transaction: false })
  })

  it('refuses COPY … FROM STDIN, with or without the directive (SQL_UNSUPPORTED)', async () => {
    expect((await errorOf('COPY t FROM STDIN;')).code).toBe('SQL_UNSUPPORTED')
    expect((await errorOf(`${noTransactionDirective}\nCOPY t FROM stdin;`)).code).toBe('SQL_UNSUPPORTED')
  })

  it('flags a file with its own BEGIN/COMMIT, and runnableStatements strips them', async () => {
    const a = await analyzeSql(
      'BEGIN;\nCREATE TABLE a (id int);\nCOMMIT;\nCREATE TABLE b (id int);\nSTART TRANSACTION;\nDROP TABLE c;\nEND;',
      'm.sql',
    )
    expect(a.ownTransactionControl).toBe(true)
    expect(a.transaction).toBe(true)
    expect(runnableStatements(a).map((s) => s.text)).toEqual([
      'CREATE TABLE a (id int)',
      'CREATE TABLE b (id int)',
      'DROP TABLE c',
    ])
  })

  it('keeps savepoints when stripping a file’s own transaction control', async () => {
    const a = await analyzeSql('BEGIN;\nSAVEPOINT s;\nUPDATE t SET x = 1;\nRELEASE SAVEPOINT s;\nCOMMIT;', 'm.sql')
    expect(runnableStatements(a).map((s) => s.nodeType)).toEqual(['TransactionStmt', 'UpdateStmt', 'TransactionStmt'])
  })

  it('returns every statement when the file has no transaction control of its own', async () => {
    const a = await analyzeSql('SELECT 1;\nSAVEPOINT s;', 'm.sql')
    expect(runnableStatements(a)).toBe(a.statements)
  })

  it('flags ALTER TYPE … ADD VALUE as commitAfter, but not RENAME VALUE', async () => {
    expect((await analyzeSql("ALTER TYPE mood ADD VALUE 'ok';", 'm.sql')).commitAfter).toBe(true)
    expect((await analyzeSql("ALTER TYPE mood RENAME VALUE 'a' TO 'b';", 'm.sql')).commitAfter).toBe(false)
  })

  it('refuses SQL that does not parse (SQL_PARSE_ERROR)', async () => {
    expect((await errorOf('CREATE TABLE (;')).code).toBe('SQL_PARSE_ERROR')
  })

  it('accepts an empty or comment-only file', async () => {
    await expect(analyzeSql('-- nothing yet\n', 'm.sql')).resolves.toMatchObject({ statements: [], transaction: true })
  })
})

describe('hasNoTransactionDirective', () => {
  it.each([
    '-- squizzle:no-transaction\nVACUUM;',
    '\n\n  -- squizzle:no-transaction  \nVACUUM;',
    '-- Add an index without locking writes\n-- squizzle:no-transaction\nCREATE INDEX CONCURRENTLY i ON t (x);',
    '--squizzle:no-transaction\nVACUUM;',
    '-- SQUIZZLE:NO-TRANSACTION\r\nVACUUM;',
    '\uFEFF-- squizzle:no-transaction\nVACUUM;',
  ])('finds the directive in the leading comments of %j', (sql) => {
    expect(hasNoTransactionDirective(sql)).toBe(true)
  })

  it.each([
    'VACUUM;\n-- squizzle:no-transaction',
    '-- squizzle:no-transaction please\nVACUUM;',
    '-- see squizzle:no-transaction\nVACUUM;',
    "SELECT '-- squizzle:no-transaction';",
    '',
  ])('does not find it in %j', (sql) => {
    expect(hasNoTransactionDirective(sql)).toBe(false)
  })
})

// Real migrations from trigger.dev (see /work/shared/corpus/trigger-dev/SOURCE.md).
const corpus = '/work/shared/corpus/trigger-dev/migrations'
const haveCorpus = existsSync(corpus)
if (!haveCorpus) console.warn(`analyze-sql.test.ts: ${corpus} is absent; skipping the corpus tests`)

describe.skipIf(!haveCorpus)('analyzeSql on the trigger.dev corpus', () => {
  const read = (name: string): string => readFileSync(join(corpus, name), 'utf8')

  it('refuses CREATE INDEX CONCURRENTLY without the directive and runs it outside a transaction with it', async () => {
    const name = '0550_20240920085226_add_parent_task_run_id_index_concurrently.sql'
    const err = await errorOf(read(name), `migrations/${name}`)
    expect(err.code).toBe('SQL_NEEDS_NO_TRANSACTION')
    expect(err.details).toMatchObject({ line: 2 })
    const a = await analyzeSql(`${noTransactionDirective}\n${read(name)}`, `migrations/${name}`)
    expect(a.transaction).toBe(false)
    expect(a.statements.map((s) => s.nodeType)).toEqual(['IndexStmt'])
  })

  it('finds the file’s own BEGIN/COMMIT in a Prisma enum rewrite and strips them', async () => {
    const a = await analyzeSql(
      read('0039_20221227191746_renamed_processed_to_dispatch_for_events.sql'),
      'migrations/0039.sql',
    )
    expect(a).toMatchObject({ transaction: true, ownTransactionControl: true, commitAfter: false })
    expect(a.statements).toHaveLength(10)
    const run = runnableStatements(a)
    expect(run).toHaveLength(8)
    expect(run.some((s) => s.nodeType === 'TransactionStmt')).toBe(false)
    expect(run[0]!.text).toBe("CREATE TYPE \"TriggerEventStatus_new\" AS ENUM ('PENDING', 'DISPATCHED')")
    expect(run.at(-1)!.line).toBe(20)
  })

  it('flags ALTER TYPE … ADD VALUE as commitAfter', async () => {
    const a = await analyzeSql(read('0018_20221219171221_support_output_step.sql'), 'migrations/0018.sql')
    expect(a).toMatchObject({ transaction: true, ownTransactionControl: false, commitAfter: true })
    expect(a.statements.map((s) => [s.line, s.nodeType])).toEqual([
      [2, 'AlterEnumStmt'],
      [5, 'AlterTableStmt'],
    ])
  })

  it('analyses all 820 files: 71 need the directive, 13 carry their own BEGIN/COMMIT, 64 add enum values', async () => {
    const names = readdirSync(corpus).filter((f) => f.endsWith('.sql'))
    expect(names).toHaveLength(820)
    let needDirective = 0
    let own = 0
    let addValue = 0
    for (const name of names) {
      const sql = read(name)
      try {
        const a = await analyzeSql(sql, `migrations/${name}`)
        if (a.ownTransactionControl) own++
        if (a.commitAfter) addValue++
      } catch (err) {
        if (!isSquizzleError(err) || err.code !== 'SQL_NEEDS_NO_TRANSACTION') throw err
        needDirective++
        // With the directive, each of these runs outside a transaction.
        expect((await analyzeSql(`${noTransactionDirective}\n${sql}`, `migrations/${name}`)).transaction).toBe(false)
      }
    }
    expect({ needDirective, own, addValue }).toEqual({ needDirective: 71, own: 13, addValue: 64 })
  })
})

describe('analyzeSqlStream', () => {
  /**
   * A script of about 320 KB with `tail` at its end: ten pieces of analysisPieceChars (32 KB), so the
   * tail is met in a late piece and every line number crosses nine piece boundaries.
   */
  const rows = 7_500
  const big = (tail: string) => `${"INSERT INTO t VALUES (1, 'a;b', $$c;d$$);\n".repeat(rows)}${tail}`
  async function* bytesOf(text: string): AsyncGenerator<Buffer> {
    const bytes = Buffer.from(text, 'utf8')
    for (let i = 0; i < bytes.length; i += 64 * 1024) yield bytes.subarray(i, i + 64 * 1024)
  }
  const verdict = async (text: string, options: { noTransaction?: boolean } = {}) => {
    const { statements: _statements, ...whole } = await analyzeSql(text, 'seed/big.sql', options)
    return whole
  }
  const failure = (p: Promise<unknown>) =>
    p.then(
      () => null,
      (e: { code?: string; details?: unknown }) => [e.code, e.details],
    )

  it('gives the verdicts analyzeSql gives, from flags met in a late piece', async () => {
    for (const [tail, options] of [
      ['SELECT 1;\n', {}],
      ['BEGIN;\nSELECT 1;\nCOMMIT;\n', {}],
      ["ALTER TYPE mood ADD VALUE 'ok';\n", {}],
      ['CREATE INDEX CONCURRENTLY i ON t (x);\n', { noTransaction: true }],
    ] as const) {
      const text = big(tail)
      expect(await analyzeSqlStream(bytesOf(text), 'seed/big.sql', options)).toEqual(await verdict(text, options))
    }
    const directive = `-- squizzle:no-transaction\n${big('VACUUM;\n')}`
    expect(await analyzeSqlStream(bytesOf(directive), 'seed/big.sql')).toEqual(await verdict(directive))
  })

  it('refuses what analyzeSql refuses, naming the same line of the whole file', async () => {
    for (const tail of ['CREATE INDEX CONCURRENTLY i ON t (x);\n', 'SELECT FROM WHERE;\n', 'ROLLBACK;\n']) {
      const text = big(`SELECT 1;\n${tail}`)
      const streamed = await failure(analyzeSqlStream(bytesOf(text), 'seed/big.sql'))
      expect(streamed).not.toBeNull()
      expect(streamed).toEqual(await failure(analyzeSql(text, 'seed/big.sql')))
      expect((streamed![1] as { line: number }).line).toBe(rows + 2)
    }
  })
})
