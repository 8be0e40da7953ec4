import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { createTestDatabase, query } from '@squizzle/testkit'
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest'
import { squizzle } from './support/cli-process.js'
import { createProject, type TestProject } from './support/project.js'

let project: TestProject
let url: string
const run = (...args: string[]) => squizzle(args, { cwd: project.dir, env: { DATABASE_URL: url } })
const json = <T = Record<string, unknown>>(stdout: string): T => JSON.parse(stdout) as T
const table = async (name: string) =>
  (await query<{ t: string | null }>(url, `SELECT to_regclass('public.${name}')::text AS t`))[0]?.t ?? null

/** Three versions, each with the rollback SQL that undoes it. */
async function threeVersions(): Promise<void> {
  await project.add('migrations', '001_users.sql', 'CREATE TABLE users (id int PRIMARY KEY);')
  await project.add('rollback', '001_users.sql', 'DROP TABLE users;')
  expect((await run('build', '1.0.0')).code).toBe(0)
  await project.add('migrations', '002_orders.sql', 'CREATE TABLE orders (id int, user_id int REFERENCES users (id));')
  await project.add('migrations', '003_orders_index.sql', 'CREATE INDEX orders_user_idx ON orders (user_id);')
  // Two rollback files: the index's undo must run before the table's (newest file first).
  await project.add('rollback', '002_orders.sql', 'DROP TABLE orders;')
  await project.add(
    'rollback',
    '003_orders_index.sql',
    "DO $$ BEGIN IF to_regclass('public.orders') IS NULL THEN RAISE EXCEPTION 'orders dropped too early'; END IF; END $$;\nDROP INDEX orders_user_idx;",
  )
  expect((await run('build', '1.1.0')).code).toBe(0)
  await project.add('migrations', '004_notes.sql', 'CREATE TABLE notes (id int);')
  await project.add('rollback', '004_notes.sql', 'DROP TABLE notes;')
  expect((await run('build', '1.2.0')).code).toBe(0)
}

beforeEach(async () => {
  project = await createProject()
  url = await createTestDatabase(inject('postgresUrl'))
})
afterEach(async () => {
  await project.remove()
})

describe('squizzle rollback', () => {
  it('undoes the current version, records it, shows it in status, and the version applies again', async () => {
    await threeVersions()
    expect((await run('apply')).code).toBe(0)
    const r = await run('rollback', '--yes', '--json')
    expect(r.code).toBe(0)
    expect(json(r.stdout)).toMatchObject({ dryRun: false, rolledBack: ['1.2.0'], current: '1.1.0' })
    expect(await table('notes')).toBeNull()
    expect(await table('orders')).toBe('orders')

    const status = json<{
      current: string
      applied: { version: string }[]
      pending: { version: string }[]
      failed: unknown[]
    }>((await run('status', '--json')).stdout)
    expect(status.current).toBe('1.1.0')
    expect(status.applied.map((a) => a.version)).toEqual(['1.0.0', '1.1.0'])
    expect(status.pending.map((p) => p.version)).toEqual(['1.2.0'])
    expect(status.failed).toEqual([])

    expect((await run('apply')).code).toBe(0)
    expect(await table('notes')).toBe('notes')
    const history = await query(url, 'SELECT operation, version, status FROM squizzle.history ORDER BY id')
    expect(history.slice(3)).toEqual([
      { operation: 'rollback', version: '1.2.0', status: 'success' },
      { operation: 'apply', version: '1.2.0', status: 'success' },
    ])
  })

  it('undoes every version above --to, newest first, each its own history entry, running rollback files newest first', async () => {
    await threeVersions()
    await run('apply')
    const r = await run('rollback', '--yes', '--to', '1.0.0', '--json')
    expect(r.code).toBe(0)
    expect(json(r.stdout)).toMatchObject({ rolledBack: ['1.2.0', '1.1.0'], current: '1.0.0' })
    expect(await query(url, "SELECT version FROM squizzle.history WHERE operation = 'rollback' ORDER BY id")).toEqual([
      { version: '1.2.0' },
      { version: '1.1.0' },
    ])
    expect([await table('orders'), await table('notes'), await table('users')]).toEqual([null, null, 'users'])
    const again = await run('rollback', '--yes', '--to', '1.0.0')
    expect(again.code).toBe(0)
    expect(again.stdout).toMatch(/nothing to roll back/i)
  })

  it('shows the SQL with --dry-run and changes nothing', async () => {
    await threeVersions()
    await run('apply')
    const text = await run('rollback', '--yes', '--to', '1.0.0', '--dry-run')
    expect(text.code).toBe(0)
    expect(text.stdout.indexOf('DROP TABLE notes')).toBeLessThan(text.stdout.indexOf('DROP INDEX orders_user_idx'))
    expect(text.stdout.indexOf('DROP INDEX orders_user_idx')).toBeLessThan(text.stdout.indexOf('DROP TABLE orders'))
    const r = await run('rollback', '--dry-run', '--json')
    expect(
      json<{ dryRun: boolean; versions: { version: string; segments: { files: { path: string }[] }[] }[] }>(r.stdout),
    ).toMatchObject({
      dryRun: true,
      rolledBack: [],
      current: '1.2.0',
      versions: [
        { version: '1.2.0', segments: [{ transactional: true, files: [{ path: 'rollback/004_notes.sql' }] }] },
      ],
    })
    expect(await table('notes')).toBe('notes')
    expect(await query(url, "SELECT count(*)::int AS n FROM squizzle.history WHERE operation = 'rollback'")).toEqual([
      { n: 0 },
    ])
  })

  it('works from what the database kept at apply time when storage is gone', async () => {
    await threeVersions()
    await run('apply')
    await rm(join(project.dir, '.squizzle'), { recursive: true, force: true })
    const r = await run('rollback', '--yes', '--json')
    expect(r.code).toBe(0)
    expect(json(r.stdout)).toMatchObject({ rolledBack: ['1.2.0'] })
    expect(
      await query(
        url,
        "SELECT details->>'from' AS source FROM squizzle.audit WHERE operation = 'rollback' AND outcome = 'success'",
      ),
    ).toEqual([{ source: 'database' }])
  })

  it('leaves the database as it was when a rollback script fails, and records the failure', async () => {
    await project.add('migrations', '001_a.sql', 'CREATE TABLE a (id int);')
    await project.add('migrations', '002_b.sql', 'CREATE TABLE b (id int);')
    await project.add('rollback', '001_a.sql', 'DROP TABLE a;')
    await project.add('rollback', '002_b.sql', 'DROP TABLE b;\nINSERT INTO no_such_table VALUES (1);')
    await run('build', '1.0.0')
    await run('apply')
    const r = await run('rollback', '--yes', '--json')
    expect(r.code).toBe(1)
    expect(json<{ error: { code: string; details: { path: string; line: number } } }>(r.stdout).error).toMatchObject({
      code: 'ROLLBACK_FAILED',
      details: { path: 'rollback/002_b.sql', line: 2 },
    })
    expect([await table('a'), await table('b')]).toEqual(['a', 'b'])
    const status = json<{ current: string; failed: { version: string; operation: string; resumable: boolean }[] }>(
      (await run('status', '--json')).stdout,
    )
    expect(status.current).toBe('1.0.0')
    expect(status.failed).toMatchObject([{ version: '1.0.0', operation: 'rollback', resumable: false }])
  })

  it('runs a no-transaction rollback file statement by statement and resumes it after a failure', async () => {
    await project.add('migrations', '001_t.sql', 'CREATE TABLE t (id int, v int);')
    await project.add(
      'migrations',
      '002_idx.sql',
      '-- squizzle:no-transaction\nCREATE INDEX CONCURRENTLY t_id_idx ON t (id);',
    )
    await project.add('rollback', '001_t.sql', 'DROP TABLE t;')
    await project.add(
      'rollback',
      '002_idx.sql',
      '-- squizzle:no-transaction\nDROP INDEX CONCURRENTLY t_id_idx;\nDROP INDEX CONCURRENTLY t_v_idx;',
    )
    await run('build', '1.0.0')
    expect((await run('apply')).code).toBe(0)
    const failed = await run('rollback', '--yes', '--json')
    expect(failed.code).toBe(1)
    expect(json<{ error: { code: string; details: { resumable: boolean } } }>(failed.stdout).error).toMatchObject({
      code: 'ROLLBACK_FAILED',
      details: { resumable: true },
    })
    const status = json<{ current: string; failed: { operation: string; resumable: boolean }[] }>(
      (await run('status', '--json')).stdout,
    )
    expect(status).toMatchObject({ current: '1.0.0', failed: [{ operation: 'rollback', resumable: true }] })
    // The first DROP INDEX stays done; after the cause is fixed, rollback resumes at the second.
    await query(url, 'CREATE INDEX t_v_idx ON t (v)')
    const retry = await run('rollback', '--yes')
    expect(retry.code).toBe(0)
    expect(retry.stdout).toMatch(/resumes at statement 2/)
    expect(await table('t')).toBeNull()
    expect((await run('apply')).code).toBe(0)
    expect(await query(url, "SELECT indexname FROM pg_indexes WHERE tablename = 't'")).toEqual([
      { indexname: 't_id_idx' },
    ])
  })

  it('refuses an irreversible version before running anything, and audits the refusal', async () => {
    await project.add('migrations', '001_a.sql', 'CREATE TABLE a (id int);')
    await project.add('rollback', '001_a.sql', 'DROP TABLE a;')
    await run('build', '1.0.0')
    await project.add('migrations', '002_b.sql', 'CREATE TABLE b (id int);')
    expect((await run('build', '1.1.0', '--irreversible')).code).toBe(0)
    await project.add('migrations', '003_c.sql', 'CREATE TABLE c (id int);')
    await project.add('rollback', '003_c.sql', 'DROP TABLE c;')
    await run('build', '1.2.0')
    await run('apply')
    const r = await run('rollback', '--yes', '--to', '1.0.0', '--json')
    expect(r.code).toBe(1)
    expect(json<{ error: { code: string } }>(r.stdout).error.code).toBe('ROLLBACK_IRREVERSIBLE')
    expect(await table('c')).toBe('c')
    expect(await query(url, "SELECT outcome, version FROM squizzle.audit WHERE operation = 'rollback'")).toEqual([
      { outcome: 'refused', version: '1.1.0' },
    ])
  })

  it('refuses rollback SQL that was changed in the database after the apply (exit 3)', async () => {
    await project.add('migrations', '001_a.sql', 'CREATE TABLE a (id int);')
    await project.add('rollback', '001_a.sql', 'DROP TABLE a;')
    await run('build', '1.0.0')
    await run('apply')
    await query(url, "UPDATE squizzle.rollback_script SET sql = 'DROP SCHEMA public CASCADE;'")
    const r = await run('rollback', '--yes', '--json')
    expect(r.code).toBe(3)
    expect(json<{ error: { code: string } }>(r.stdout).error.code).toBe('DIGEST_MISMATCH')
    expect(await table('a')).toBe('a')
  })

  it('says there is nothing to roll back on a database without versions', async () => {
    const r = await run('rollback', '--yes', '--json')
    expect(r.code).toBe(1)
    expect(json<{ error: { code: string } }>(r.stdout).error.code).toBe('NOTHING_TO_ROLL_BACK')
  })
})

describe('squizzle build and rollback SQL', () => {
  it('refuses a version without rollback SQL unless it is marked irreversible, and records the mark', async () => {
    await project.add('migrations', '001_a.sql', 'CREATE TABLE a (id int);')
    const refused = await run('build', '1.0.0', '--json')
    expect(refused.code).toBe(1)
    expect(json<{ error: { code: string } }>(refused.stdout).error.code).toBe('ROLLBACK_MISSING')
    expect((await run('build', '1.0.0', '--irreversible')).code).toBe(0)
    await project.add('rollback', '002_b.sql', 'DROP TABLE b;')
    await project.add('migrations', '002_b.sql', 'CREATE TABLE b (id int);')
    const both = await run('build', '1.1.0', '--irreversible', '--json')
    expect(both.code).toBe(2)
  })
})
