import { describe, expect, it } from 'vitest'
import { classifyStatement, type StatementClass } from './classify-statement.js'
import { splitStatements } from './split-statements.js'

async function classify(sql: string): Promise<StatementClass> {
  const statements = await splitStatements(sql)
  expect(statements).toHaveLength(1)
  return classifyStatement(statements[0]!)
}

const plain: StatementClass = { kind: 'plain' }
const nonTx = (what: string): StatementClass => ({ kind: 'non-transactional', what })

describe('classifyStatement', () => {
  it.each<[string, StatementClass]>([
    ['CREATE INDEX CONCURRENTLY i ON t (x)', nonTx('CREATE INDEX CONCURRENTLY')],
    ['CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS "i" ON "T"("x")', nonTx('CREATE INDEX CONCURRENTLY')],
    ['DROP INDEX CONCURRENTLY i', nonTx('DROP INDEX CONCURRENTLY')],
    ['DROP INDEX CONCURRENTLY IF EXISTS "i"', nonTx('DROP INDEX CONCURRENTLY')],
    ['REINDEX INDEX CONCURRENTLY i', nonTx('REINDEX CONCURRENTLY')],
    ['REINDEX (CONCURRENTLY) TABLE t', nonTx('REINDEX CONCURRENTLY')],
    ['REINDEX DATABASE app', nonTx('REINDEX SYSTEM/DATABASE')],
    ['REINDEX SYSTEM', nonTx('REINDEX SYSTEM/DATABASE')],
    ['VACUUM', nonTx('VACUUM')],
    ['VACUUM (ANALYZE) t', nonTx('VACUUM')],
    ['VACUUM FULL t', nonTx('VACUUM')],
    ["ALTER SYSTEM SET work_mem = '64MB'", nonTx('ALTER SYSTEM')],
    ['CREATE DATABASE app2', nonTx('CREATE DATABASE')],
    ['DROP DATABASE app2', nonTx('DROP DATABASE')],
    ["CREATE TABLESPACE fast LOCATION '/ssd'", nonTx('CREATE TABLESPACE')],
    ['DROP TABLESPACE fast', nonTx('DROP TABLESPACE')],
    ['ALTER DATABASE app SET TABLESPACE fast', nonTx('ALTER DATABASE SET TABLESPACE')],
    ['CLUSTER', nonTx('CLUSTER without a table')],
    ['ALTER TABLE p DETACH PARTITION p1 CONCURRENTLY', nonTx('ALTER TABLE … DETACH PARTITION … CONCURRENTLY')],
    ['ALTER SUBSCRIPTION s REFRESH PUBLICATION', nonTx('ALTER SUBSCRIPTION … REFRESH PUBLICATION')],
    ["CREATE SUBSCRIPTION s CONNECTION 'host=x' PUBLICATION p", nonTx('CREATE SUBSCRIPTION')],
    ['DISCARD ALL', nonTx('DISCARD ALL')],
  ])('classifies %s as non-transactional', async (sql, expected) => {
    expect(await classify(sql)).toEqual(expected)
  })

  it.each([
    'CREATE INDEX i ON t (x)',
    'DROP INDEX i',
    'DROP TABLE t',
    'REINDEX TABLE t',
    'ANALYZE',
    'ANALYZE t',
    'CLUSTER t USING i',
    'ALTER DATABASE app SET work_mem = 1',
    "ALTER TYPE mood RENAME VALUE 'sad' TO 'blue'",
    'SAVEPOINT s1',
    'RELEASE SAVEPOINT s1',
    'ROLLBACK TO SAVEPOINT s1',
    "COPY t FROM '/var/lib/postgresql/t.csv'",
    'COPY t TO STDOUT',
    'ALTER TABLE p DETACH PARTITION p1',
    'DISCARD PLANS',
    "SET lock_timeout = '5s'",
    'CREATE TABLE t (id int)',
  ])('classifies %s as plain', async (sql) => {
    expect(await classify(sql)).toEqual(plain)
  })

  it.each<[string, 'begin' | 'commit']>([
    ['BEGIN', 'begin'],
    ['BEGIN TRANSACTION', 'begin'],
    ['START TRANSACTION', 'begin'],
    ['COMMIT', 'commit'],
    ['END', 'commit'],
    ['COMMIT TRANSACTION', 'commit'],
  ])('classifies %s as transaction control (%s)', async (sql, action) => {
    expect(await classify(sql)).toEqual({ kind: 'transaction-control', action })
  })

  it.each(['ROLLBACK', 'ABORT', "PREPARE TRANSACTION 'x'", "COMMIT PREPARED 'x'", "ROLLBACK PREPARED 'x'"])(
    'classifies %s as a transaction abort',
    async (sql) => {
      expect(await classify(sql)).toMatchObject({ kind: 'transaction-abort' })
    },
  )

  it.each(["ALTER TYPE mood ADD VALUE 'ok'", "ALTER TYPE \"Mood\" ADD VALUE IF NOT EXISTS 'ok' BEFORE 'sad'"])(
    'classifies %s as enum-add-value',
    async (sql) => {
      expect(await classify(sql)).toEqual({ kind: 'enum-add-value' })
    },
  )

  it.each(['COPY t FROM STDIN', 'COPY t (a, b) FROM stdin WITH (FORMAT csv)'])(
    'classifies %s as copy-from-stdin',
    async (sql) => {
      expect(await classify(sql)).toEqual({ kind: 'copy-from-stdin' })
    },
  )
})

describe('transaction statements with options Squizzle cannot keep', () => {
  it.each(['START TRANSACTION ISOLATION LEVEL SERIALIZABLE', 'BEGIN READ ONLY', 'COMMIT AND CHAIN'])(
    'refuses %s instead of silently dropping its options',
    async (sql) => {
      const [statement] = await splitStatements(sql)
      expect(classifyStatement(statement!).kind).toBe('transaction-abort')
    },
  )
})
