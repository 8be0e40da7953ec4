import { expect, it } from 'vitest'
import { isSquizzleError } from '../../errors/squizzle-error.js'
import { codeOf, expectSql, unit, type DriverHarness } from './support.js'

/**
 * Transactions, scripts, statement-by-statement runs with resume, and session isolation.
 *
 * @example
 * ```ts
 * describe('running SQL', () => runningTests(harness))
 * ```
 */
export function runningTests(h: DriverHarness): void {
  it('commits a transaction that resolves and rolls back one that throws', async () => {
    const d = await h.connect()
    const create = unit(['CREATE TABLE conformance_rolled_back (id int)'])
    await expect(
      d.transaction(async (tx) => {
        await tx.run(create)
        throw new Error('abort')
      }),
    ).rejects.toThrow('abort')
    // Creating it again succeeds only if the first one was rolled back.
    await d.transaction((tx) => tx.run(create))
    expect(await codeOf(d.run(create))).toBe('DATABASE_ERROR')
  })

  it('runs a whole script in one transaction, and names the failing statement of a unit', async () => {
    const d = await h.connect()
    const script = 'CREATE TABLE s1 (id int); INSERT INTO s1 VALUES (1); CREATE TABLE s2 (id int);'
    await d.transaction((tx) => tx.run({ version: '0.0.0', path: 'migrations/s.sql', script }))
    await d.run(unit([expectSql('(SELECT count(*) FROM s1) = 1', 'missing')]))
    const failing = unit(['SELECT 1', 'SELECT * FROM conformance_missing'])
    const err = await d.transaction((tx) => tx.run(failing)).catch((e: unknown) => e)
    expect(isSquizzleError(err) && err.code).toBe('DATABASE_ERROR')
    expect(isSquizzleError(err) && err.details?.['statement']).toBe(1)
    expect(isSquizzleError(err) && err.details?.['position']).toBe(14)
  })

  it('runs statements one by one outside a transaction, reporting each, resuming from an index', async () => {
    const d = await h.connect()
    const seen: number[] = []
    const statements = ['CREATE TABLE nt (id int)', 'INSERT INTO nt VALUES (1)', 'INSERT INTO nt VALUES (2)']
    await d.run(unit(statements), { onStatement: async (i) => void seen.push(i) })
    expect(seen).toEqual([0, 1, 2])
    // Resuming at 1 must skip the CREATE (which would now fail) and run the rest.
    const resumed: number[] = []
    await d.run(unit(statements), { fromStatement: 1, onStatement: async (i) => void resumed.push(i) })
    expect(resumed).toEqual([1, 2])
    await d.run(unit([expectSql('(SELECT count(*) FROM nt) = 4', 'count')]))
  })

  it('keeps statements that ran outside a transaction when a later one fails', async () => {
    const d = await h.connect()
    const err = await d.run(unit(['CREATE TABLE partial (id int)', 'SELECT 1/0'])).catch((e: unknown) => e)
    expect(isSquizzleError(err) && err.code).toBe('DATABASE_ERROR')
    expect(isSquizzleError(err) && err.details?.['statement']).toBe(1)
    await d.run(unit(['INSERT INTO partial VALUES (1)']))
  })

  it('does not leak session settings from one unit into the next', async () => {
    const d = await h.connect()
    const leaked =
      "current_setting('lock_timeout') = '1234ms' OR current_setting('statement_timeout') = '4321ms'" +
      " OR current_setting('search_path') = 'pg_catalog'"
    await d.transaction((tx) => tx.run(unit(["SET lock_timeout = '1234ms'", 'SET search_path = pg_catalog'])))
    await d.run(unit(["SET statement_timeout = '4321ms'"]))
    await d.run(unit([expectSql(`NOT (${leaked})`, 'leaked')]))
    await d.transaction(async (tx) => {
      await tx.run(unit(["SET lock_timeout = '1234ms'"]))
      await tx.run(unit([expectSql(`NOT (${leaked})`, 'leaked in transaction')]))
    })
  })

  it('restores session settings before resuming a unit; asks before each statement', async () => {
    const d = await h.connect()
    const statements = [
      'CREATE SCHEMA conformance_resume',
      'SET search_path = conformance_resume',
      'CREATE TABLE resumed (id int)',
      expectSql("to_regclass('conformance_resume.resumed') IS NOT NULL", 'not in the restored schema'),
    ]
    await d.run(unit(statements.slice(0, 2)))
    const asked: number[] = []
    const beforeStatement = async (i: number) => void asked.push(i)
    await d.run(unit(statements), { fromStatement: 2, replaySession: [1], beforeStatement })
    expect(asked).toEqual([2, 3])
    const stop = async (i: number) => {
      if (i === 1) throw new Error('stop here')
    }
    const err = await d
      .run(unit(['CREATE TABLE conformance_stop (id int)', 'DROP TABLE conformance_stop']), {
        beforeStatement: stop,
      })
      .catch((e: unknown) => e)
    expect((err as Error).message).toBe('stop here')
    // The statement the hook stopped never ran.
    await d.run(unit([expectSql("to_regclass('conformance_stop') IS NOT NULL", 'the stopped statement ran')]))
  })
}
