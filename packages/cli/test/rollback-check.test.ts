import { createTestDatabase, query } from '@squizzle/testkit'
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest'
import { squizzle } from './support/cli-process.js'
import { createProject, type TestProject } from './support/project.js'

let project: TestProject
let url: string
const run = (...args: string[]) => squizzle(args, { cwd: project.dir, env: { DATABASE_URL: url } })
const json = <T = Record<string, unknown>>(stdout: string): T => JSON.parse(stdout) as T
const errorOf = (stdout: string) =>
  json<{ error: { code: string; message: string; hint: string; details: Record<string, unknown> } }>(stdout).error
const column = async (table: string, name: string) =>
  (
    await query<{ n: number }>(
      url,
      `SELECT count(*)::int AS n FROM information_schema.columns WHERE table_name = '${table}' AND column_name = '${name}'`,
    )
  )[0]?.n

type Status = { current: string; failed: { version: string; operation: string; code: string; resumable: boolean }[] }

/** 1.1.0: orders with an enum. 1.2.0: a new enum value and a column; its rollback drops only the column. */
async function enumValueLeftBehind(): Promise<void> {
  await project.add(
    'migrations',
    '001_orders.sql',
    "CREATE TYPE order_status AS ENUM ('pending', 'paid');\nCREATE TABLE orders (id int, status order_status);",
  )
  await project.add('rollback', '001_orders.sql', 'DROP TABLE orders;\nDROP TYPE order_status;')
  expect((await run('build', '1.1.0')).code).toBe(0)
  await project.add('migrations', '002_cancelled.sql', "ALTER TYPE order_status ADD VALUE 'cancelled';")
  await project.add('migrations', '003_cancel_reason.sql', 'ALTER TABLE orders ADD COLUMN cancel_reason text;')
  // "An enum value cannot be dropped", thought its author: the rollback leaves it.
  await project.add('rollback', '002_cancelled.sql', '-- PostgreSQL has no ALTER TYPE … DROP VALUE\nSELECT 1;')
  await project.add('rollback', '003_cancel_reason.sql', 'ALTER TABLE orders DROP COLUMN cancel_reason;')
  expect((await run('build', '1.2.0')).code).toBe(0)
  expect((await run('apply')).code).toBe(0)
}

beforeEach(async () => {
  project = await createProject()
  url = await createTestDatabase(inject('postgresUrl'))
})
afterEach(async () => {
  await project.remove()
})

describe('squizzle rollback checks the schema it returns to', () => {
  it('fails a rollback that leaves an enum value behind, names it, keeps the database at 1.2.0 and records the failure', async () => {
    await enumValueLeftBehind()
    const r = await run('rollback', '--yes', '--to', '1.1.0', '--json')
    expect(r.code).toBe(1)
    const error = errorOf(r.stdout)
    expect(error.code).toBe('ROLLBACK_INCOMPLETE')
    expect(error.details).toMatchObject({ version: '1.2.0', against: '1.1.0', atomic: true, resumable: false })
    expect(error.details['differences']).toEqual([
      {
        change: 'changed',
        kind: 'enum',
        name: 'public.order_status',
        properties: [{ property: 'labels', from: ['pending', 'paid'], to: ['pending', 'paid', 'cancelled'] }],
      },
    ])
    const text = await run('rollback', '--yes', '--to', '1.1.0')
    expect(text.code).toBe(1)
    expect(text.stdout + text.stderr).toContain('enum public.order_status')
    expect(text.stdout + text.stderr).not.toMatch(/now at 1\.1\.0/)
    expect(text.stderr).toContain('squizzle repair 1.2.0')

    // Nothing of the rollback was kept: the column is still there, and history still says 1.2.0.
    expect(await column('orders', 'cancel_reason')).toBe(1)
    const status = json<Status>((await run('status', '--json')).stdout)
    expect(status).toMatchObject({
      current: '1.2.0',
      failed: [{ version: '1.2.0', operation: 'rollback', code: 'ROLLBACK_INCOMPLETE', resumable: false }],
    })
    expect(
      await query(url, "SELECT operation, status, error_code FROM squizzle.history WHERE operation = 'rollback'"),
    ).toEqual([
      { operation: 'rollback', status: 'failed', error_code: 'ROLLBACK_INCOMPLETE' },
      { operation: 'rollback', status: 'failed', error_code: 'ROLLBACK_INCOMPLETE' },
    ])
    const recorded = await query<{ message: string }>(
      url,
      "SELECT error_message AS message FROM squizzle.history WHERE operation = 'rollback' LIMIT 1",
    )
    expect(recorded[0]?.message).toContain('~ enum public.order_status (labels)')
    // Nothing to re-apply: apply is a no-op, not a failure on the enum value.
    const applied = await run('apply', '--json')
    expect(applied.code).toBe(0)
    expect(json(applied.stdout)).toMatchObject({ applied: [], current: '1.2.0', alreadyCurrent: true })
    expect((await run('drift', '--check')).code).toBe(0)
  })

  it('records the rollback with --force, audited with the differences, and does not claim the schema matches', async () => {
    await enumValueLeftBehind()
    const r = await run('rollback', '--yes', '--force')
    expect(r.code).toBe(0)
    expect(r.stdout).not.toMatch(/now at 1\.1\.0/)
    expect(r.stdout).toContain('enum public.order_status')
    expect(await column('orders', 'cancel_reason')).toBe(0)
    const audit = await query<{
      outcome: string
      schema: { outcome: string; against: string; differences: { name: string }[] }
    }>(url, "SELECT outcome, details->'schema' AS schema FROM squizzle.audit WHERE operation = 'rollback'")
    expect(audit).toMatchObject([
      {
        outcome: 'success',
        schema: { outcome: 'forced', against: '1.1.0', differences: [{ name: 'public.order_status' }] },
      },
    ])
  })

  it('says the database is at the version it returned to only after the schema matched', async () => {
    await project.add('migrations', '001_a.sql', 'CREATE TABLE a (id int);')
    await project.add('rollback', '001_a.sql', 'DROP TABLE a;')
    await run('build', '1.0.0')
    await project.add('migrations', '002_b.sql', "CREATE TYPE mood AS ENUM ('ok');\nCREATE TABLE b (id int, m mood);")
    await project.add('rollback', '002_b.sql', 'DROP TABLE b;\nDROP TYPE mood;')
    await run('build', '1.1.0')
    await run('apply')
    const r = await run('rollback', '--yes')
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('1.1.0: the schema matches that of 1.0.0')
    expect(r.stdout).toContain('the database is now at 1.0.0')
  })

  it('warns that it cannot check a rollback to a version built without a snapshot', async () => {
    await project.add('migrations', '001_a.sql', 'CREATE TABLE a (id int);')
    await project.add('rollback', '001_a.sql', 'DROP TABLE a;')
    await run('build', '1.0.0', '--no-snapshot')
    await project.add('migrations', '002_b.sql', 'CREATE TABLE b (id int);')
    await project.add('rollback', '002_b.sql', 'DROP TABLE b;')
    await run('build', '1.1.0')
    await run('apply')
    const r = await run('rollback', '--yes', '--json')
    expect(r.code).toBe(0)
    const result = json<{ checks: unknown[]; events: { type: string; code?: string }[] }>(r.stdout)
    expect(result.checks).toMatchObject([{ version: '1.1.0', against: '1.0.0', outcome: 'unchecked' }])
    expect(result.events).toContainEqual(
      expect.objectContaining({ type: 'warning', code: 'ROLLBACK_UNCHECKED', version: '1.1.0' }),
    )
    await run('apply')
    const text = await run('rollback', '--yes')
    expect(text.code).toBe(0)
    expect(text.stderr).toMatch(/warning .*not checked: 1\.0\.0 was built without a schema snapshot/)
    expect(text.stdout).not.toMatch(/now at 1\.0\.0/)
  })

  it('checks a non-transactional rollback after it ran, records the failure, and completes once the rest is undone by hand', async () => {
    await project.add('migrations', '001_t.sql', 'CREATE TABLE t (a int, b int);')
    await project.add('rollback', '001_t.sql', 'DROP TABLE t;')
    await run('build', '1.0.0')
    await project.add(
      'migrations',
      '002_indexes.sql',
      '-- squizzle:no-transaction\nCREATE INDEX CONCURRENTLY t_a_idx ON t (a);\nCREATE INDEX CONCURRENTLY t_b_idx ON t (b);',
    )
    await project.add('rollback', '002_indexes.sql', '-- squizzle:no-transaction\nDROP INDEX CONCURRENTLY t_a_idx;')
    await run('build', '1.1.0')
    expect((await run('apply')).code).toBe(0)
    const r = await run('rollback', '--yes', '--json')
    expect(r.code).toBe(1)
    expect(errorOf(r.stdout)).toMatchObject({
      code: 'ROLLBACK_INCOMPLETE',
      details: {
        atomic: false,
        resumable: true,
        differences: [{ change: 'added', kind: 'index', name: 'public.t_b_idx' }],
      },
    })
    // What ran stays; history still says 1.1.0, with a resumable failed rollback.
    expect(await query(url, "SELECT indexname FROM pg_indexes WHERE tablename = 't'")).toEqual([
      { indexname: 't_b_idx' },
    ])
    expect(json<Status>((await run('status', '--json')).stdout)).toMatchObject({
      current: '1.1.0',
      failed: [{ operation: 'rollback', resumable: true }],
    })
    await query(url, 'DROP INDEX t_b_idx')
    const again = await run('rollback', '--yes')
    expect(again.code).toBe(0)
    expect(again.stdout).toContain('the database is now at 1.0.0')
  })
})
