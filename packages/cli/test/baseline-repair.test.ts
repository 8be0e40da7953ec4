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

beforeEach(async () => {
  project = await createProject()
  url = await createTestDatabase(inject('postgresUrl'))
})
afterEach(async () => {
  await project.remove()
})

describe('squizzle baseline', () => {
  it('marks an existing database as at a version without running SQL; apply then runs only what is above', async () => {
    await project.add('migrations', '001_a.sql', 'CREATE TABLE a (id int);')
    await project.add('rollback', '001_a.sql', 'DROP TABLE a;')
    await run('build', '1.0.0')
    await project.add('migrations', '002_b.sql', 'CREATE TABLE b (id int);')
    await project.add('rollback', '002_b.sql', 'DROP TABLE b;')
    await run('build', '1.1.0')
    await project.add('migrations', '003_c.sql', 'CREATE TABLE c (id int);')
    await project.add('rollback', '003_c.sql', 'DROP TABLE c;')
    await run('build', '1.2.0')
    // The schema up to 1.1.0 exists already, made by hand before Squizzle.
    await query(url, 'CREATE TABLE a (id int); CREATE TABLE b (id int)')

    const r = await run('baseline', '1.1.0', '--json')
    expect(r.code).toBe(0)
    expect(json(r.stdout)).toMatchObject({ version: '1.1.0', covered: ['1.0.0', '1.1.0'] })
    const status = json<{ current: string; baseline: string; pending: { version: string }[] }>(
      (await run('status', '--json')).stdout,
    )
    expect(status).toMatchObject({ current: '1.1.0', baseline: '1.1.0', pending: [{ version: '1.2.0' }] })

    const applied = await run('apply', '--json')
    expect(applied.code).toBe(0)
    expect(json(applied.stdout)).toMatchObject({ applied: ['1.2.0'], current: '1.2.0' })
    expect(await query(url, 'SELECT operation, version FROM squizzle.history ORDER BY id')).toEqual([
      { operation: 'baseline', version: '1.1.0' },
      { operation: 'apply', version: '1.2.0' },
    ])
    expect(await query(url, "SELECT outcome, version FROM squizzle.audit WHERE operation = 'baseline'")).toEqual([
      { outcome: 'success', version: '1.1.0' },
    ])

    // A baselined version was not run by Squizzle: rollback refuses to guess how to undo it.
    expect((await run('rollback', '--yes')).code).toBe(0)
    const refused = await run('rollback', '--yes', '--json')
    expect(refused.code).toBe(1)
    expect(json<{ error: { code: string } }>(refused.stdout).error.code).toBe('ROLLBACK_UNAVAILABLE')
  })

  it('refuses when Squizzle already applied versions, unless --force, and never below the current version', async () => {
    await project.add('migrations', '001_a.sql', 'CREATE TABLE a (id int);')
    await run('build', '1.0.0', '--irreversible')
    await project.add('migrations', '002_b.sql', 'CREATE TABLE b (id int);')
    await run('build', '1.1.0', '--irreversible')
    await run('apply', '1.0.0')
    const refused = await run('baseline', '1.1.0', '--json')
    expect(refused.code).toBe(1)
    expect(json<{ error: { code: string } }>(refused.stdout).error.code).toBe('HISTORY_NOT_EMPTY')
    expect(
      json<{ error: { code: string } }>((await run('baseline', '1.0.0', '--force', '--yes', '--json')).stdout).error
        .code,
    ).toBe('HISTORY_NOT_EMPTY')
    expect((await run('baseline', '1.1.0', '--force', '--yes')).code).toBe(0)
    expect(await table('b')).toBeNull()
    expect(json<{ current: string; pending: unknown[] }>((await run('status', '--json')).stdout)).toMatchObject({
      current: '1.1.0',
      pending: [],
    })
    expect(await query(url, "SELECT outcome FROM squizzle.audit WHERE operation = 'baseline' ORDER BY id")).toEqual([
      { outcome: 'refused' },
      { outcome: 'refused' },
      { outcome: 'success' },
    ])
  })
})

describe('squizzle baseline checks the schema', () => {
  async function oneVersion(...flags: string[]): Promise<void> {
    await project.add('migrations', '001_a.sql', 'CREATE TABLE a (id int PRIMARY KEY, note text);')
    await project.add('rollback', '001_a.sql', 'DROP TABLE a;')
    expect((await run('build', '1.0.0', ...flags)).code).toBe(0)
  }
  const baselineAudit = () =>
    query(
      url,
      "SELECT outcome, details->>'force' AS force, details->>'schema' AS schema, details->'differences' AS differences FROM squizzle.audit WHERE operation = 'baseline' ORDER BY id",
    )

  it("refuses a database whose schema is not the version's (exit 3), showing the differences", async () => {
    await oneVersion()
    const r = await run('baseline', '1.0.0', '--json')
    expect(r.code).toBe(3)
    const { error } = json<{
      error: { code: string; details: { differences: { change: string; kind: string; name: string }[] } }
    }>(r.stdout)
    expect(error.code).toBe('BASELINE_MISMATCH')
    expect(error.details.differences).toContainEqual({ change: 'removed', kind: 'table', name: 'public.a' })
    const text = await run('baseline', '1.0.0')
    expect(text.code).toBe(3)
    expect(text.stdout).toContain('- table public.a')
    expect(text.stderr).toContain('--force')
    expect(await query(url, 'SELECT count(*)::int AS n FROM squizzle.history')).toEqual([{ n: 0 }])
    expect(await baselineAudit()).toMatchObject([{ outcome: 'refused' }, { outcome: 'refused' }])
  })

  it("baselines a database whose schema matches the version's snapshot", async () => {
    await oneVersion()
    await query(url, 'CREATE TABLE a (id int PRIMARY KEY, note text)')
    const r = await run('baseline', '1.0.0', '--json')
    expect(r.code).toBe(0)
    expect(json(r.stdout)).toMatchObject({ version: '1.0.0', schema: { outcome: 'matched', differences: [] } })
    expect(await baselineAudit()).toEqual([
      { outcome: 'success', force: 'false', schema: 'matched', differences: null },
    ])
    expect((await run('drift', '--check')).code).toBe(0)
  })

  it('baselines a mismatch with --force and records the force and the differences in the audit log', async () => {
    await oneVersion()
    await query(url, 'CREATE TABLE a (id int PRIMARY KEY)')
    const r = await run('baseline', '1.0.0', '--force', '--yes')
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('- column public.a.note')
    expect(await baselineAudit()).toEqual([
      {
        outcome: 'success',
        force: 'true',
        schema: 'forced',
        differences: [{ change: 'removed', kind: 'column', name: 'public.a.note' }],
      },
    ])
  })

  it('refuses a version built without a snapshot unless --force', async () => {
    await oneVersion('--no-snapshot')
    await query(url, 'CREATE TABLE a (id int PRIMARY KEY, note text)')
    const r = await run('baseline', '1.0.0', '--json')
    expect(r.code).toBe(1)
    expect(json<{ error: { code: string; hint: string } }>(r.stdout).error).toMatchObject({
      code: 'SNAPSHOT_MISSING',
      hint: expect.stringContaining('--force'),
    })
    const forced = await run('baseline', '1.0.0', '--force', '--yes')
    expect(forced.code).toBe(0)
    expect(forced.stderr).toContain('without checking the schema')
    expect(await baselineAudit()).toMatchObject([
      { outcome: 'refused' },
      { outcome: 'success', force: 'true', schema: 'unchecked' },
    ])
  })
})

describe('squizzle repair', () => {
  /** A version whose non-transactional file fails at its second statement, after the first committed. */
  async function failHalfway(): Promise<void> {
    await project.add('migrations', '001_t.sql', 'CREATE TABLE t (id int, v int);')
    await project.add(
      'migrations',
      '002_index.sql',
      '-- squizzle:no-transaction\nCREATE TABLE side (id int);\nCREATE INDEX CONCURRENTLY t_w_idx ON t (w);\nCREATE INDEX CONCURRENTLY t_v_idx ON t (v);',
    )
    await project.add('rollback', '001_t.sql', 'DROP TABLE t;')
    await project.add('rollback', '002_index.sql', 'DROP TABLE side;')
    await run('build', '1.0.0', '--no-snapshot') // fails on purpose: an empty database cannot replay it
    const failed = await run('apply')
    expect(failed.code).toBe(1)
    expect(await table('side')).toBe('side')
  }

  it('resolves a failed run after a human fixed the cause; the next apply resumes at the failed statement', async () => {
    await failHalfway()
    expect(json<{ failed: { resumable: boolean }[] }>((await run('status', '--json')).stdout).failed).toMatchObject([
      { resumable: true },
    ])
    await query(url, 'ALTER TABLE t ADD COLUMN w int')
    const r = await run('repair', '--json')
    expect(r.code).toBe(0)
    expect(json(r.stdout)).toMatchObject({
      mode: 'resume',
      repaired: [{ version: '1.0.0', operation: 'apply', code: 'DATABASE_ERROR', progressCleared: false }],
    })
    expect(json<{ failed: unknown[] }>((await run('status', '--json')).stdout).failed).toEqual([])
    // CREATE TABLE side is not run again (it would fail): apply resumes at statement 2.
    const applied = await run('apply')
    expect(applied.code).toBe(0)
    expect(await query(url, "SELECT count(*)::int AS n FROM pg_indexes WHERE tablename = 't'")).toEqual([{ n: 2 }])
    expect(await query(url, 'SELECT operation, status FROM squizzle.history ORDER BY id')).toEqual([
      { operation: 'apply', status: 'failed' },
      { operation: 'repair', status: 'success' },
      { operation: 'apply', status: 'success' },
    ])
    expect(
      await query(
        url,
        "SELECT outcome, version, details->>'mode' AS mode FROM squizzle.audit WHERE operation = 'repair'",
      ),
    ).toEqual([{ outcome: 'success', version: '1.0.0', mode: 'resume' }])
  })

  it('with --restart forgets the progress, so the next apply runs the version from its first file', async () => {
    await failHalfway()
    // The human undid the partial work by hand.
    await query(url, 'DROP TABLE side; DROP TABLE t')
    const r = await run('repair', '1.0.0', '--restart', '--yes', '--json')
    expect(r.code).toBe(0)
    expect(json(r.stdout)).toMatchObject({ mode: 'restart', repaired: [{ version: '1.0.0', progressCleared: true }] })
    expect(await query(url, 'SELECT count(*)::int AS n FROM squizzle.progress')).toEqual([{ n: 0 }])
    // The cause (column w) is still missing, so apply fails at the same statement, but only
    // after running the version from its first file again: both tables are back.
    expect((await run('apply')).code).toBe(1)
    expect([await table('t'), await table('side')]).toEqual(['t', 'side'])
  })

  it('says so when there is nothing to repair, and succeeds: nothing was left to do', async () => {
    const r = await run('repair', '--json')
    expect(r.code).toBe(0)
    expect(json<{ mode: string; repaired: unknown[] }>(r.stdout)).toEqual({ mode: 'resume', repaired: [] })
  })
})
