import { join } from 'node:path'
import { copyVersion } from '@squizzle/core'
import { OciLayoutTarget } from '@squizzle/storage-filesystem'
import { createTestDatabase, query } from '@squizzle/testkit'
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest'
import { squizzle } from './support/cli-process.js'
import { createProject, type TestProject } from './support/project.js'

let project: TestProject
let env: Record<string, string>
const run = (...args: string[]) => squizzle(args, { cwd: project.dir, env })
const json = <T = Record<string, unknown>>(stdout: string): T => JSON.parse(stdout) as T

beforeEach(async () => {
  project = await createProject()
  env = { DATABASE_URL: await createTestDatabase(inject('postgresUrl')) }
})
afterEach(async () => {
  await project.remove()
})

describe('squizzle apply', () => {
  it('applies pending versions in order, each exactly once, and a second apply is a no-op', async () => {
    await project.add('migrations', '001_users.sql', 'CREATE TABLE users (id int PRIMARY KEY, email text);')
    expect((await run('build', '1.0.0', '--irreversible')).code).toBe(0)
    await project.add(
      'migrations',
      '002_orders.sql',
      'CREATE TABLE orders (id int, user_id int REFERENCES users (id));',
    )
    await project.add('seed', '001_users.sql', "INSERT INTO users VALUES (1, 'a@example.com');")
    expect((await run('build', '1.1.0', '--irreversible')).code).toBe(0)

    const first = await run('apply', '--json')
    expect(first.code).toBe(0)
    expect(json(first.stdout)).toMatchObject({ applied: ['1.0.0', '1.1.0'], current: '1.1.0', alreadyCurrent: false })
    const again = await run('apply')
    expect(again.code).toBe(0)
    expect(again.stdout).toMatch(/nothing to apply/i)

    const history = await query<{ version: string; status: string }>(
      env['DATABASE_URL']!,
      'SELECT version, status FROM squizzle.history ORDER BY id',
    )
    expect(history).toEqual([
      { version: '1.0.0', status: 'success' },
      { version: '1.1.0', status: 'success' },
    ])
    expect(await query(env['DATABASE_URL']!, 'SELECT * FROM users')).toEqual([{ id: 1, email: 'a@example.com' }])
  })

  it('applies up to a target version only', async () => {
    await project.add('migrations', '001_a.sql', 'CREATE TABLE a (id int);')
    await run('build', '1.0.0', '--irreversible')
    await project.add('migrations', '002_b.sql', 'CREATE TABLE b (id int);')
    await run('build', '2.0.0', '--irreversible')
    expect((await run('apply', '1.0.0')).code).toBe(0)
    const status = json<{ current: string; pending: { version: string }[] }>((await run('status', '--json')).stdout)
    expect(status.current).toBe('1.0.0')
    expect(status.pending.map((p) => p.version)).toEqual(['2.0.0'])
  })

  it('rolls the whole version back when one of its files fails, and records the failure', async () => {
    await project.add('migrations', '001_ok.sql', 'CREATE TABLE kept_only_if_all_pass (id int);')
    await project.add('migrations', '002_broken.sql', 'SELECT 1;\nINSERT INTO no_such_table VALUES (1);')
    await run('build', '1.0.0', '--irreversible', '--no-snapshot') // fails on purpose: an empty database cannot replay it
    const result = await run('apply')
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('migrations/002_broken.sql:2')
    expect(result.stderr).toMatch(/MIGRATION_FAILED/)
    const tables = await query(env['DATABASE_URL']!, "SELECT to_regclass('public.kept_only_if_all_pass') AS t")
    expect(tables).toEqual([{ t: null }])
    const status = json<{ current: string | null; failed: { version: string; resumable: boolean }[] }>(
      (await run('status', '--json')).stdout,
    )
    expect(status.current).toBeNull()
    expect(status.failed).toMatchObject([{ version: '1.0.0', resumable: false }])
  })

  it('names the right line of a failing statement deep inside a large file sent in pieces', async () => {
    const good =
      "INSERT INTO big VALUES (1, 'a fairly long value to make the file large enough to be sent in pieces');\n"
    const lines = Array.from({ length: 30_000 }, () => good)
    lines[20_000] = 'INSERT INTO missing_table VALUES (1);\n'
    await project.add('migrations', '001_big.sql', 'CREATE TABLE big (id int, v text);\n' + lines.join(''))
    await run('build', '1.0.0', '--irreversible', '--no-snapshot') // fails on purpose: an empty database cannot replay it
    const r = await run('apply', '--json')
    expect(r.code).toBe(1)
    expect(json<{ error: { details: { path: string; line: number } } }>(r.stdout).error.details).toMatchObject({
      path: 'migrations/001_big.sql',
      line: 20_002,
    })
    expect(await query(env['DATABASE_URL']!, "SELECT to_regclass('public.big') AS t")).toEqual([{ t: null }])
  })

  it('runs a no-transaction file statement by statement and commits between an enum value and its use', async () => {
    await project.add('migrations', '001_t.sql', "CREATE TYPE mood AS ENUM ('ok'); CREATE TABLE t (id int, m mood);")
    await project.add(
      'migrations',
      '002_idx.sql',
      '-- squizzle:no-transaction\nCREATE INDEX CONCURRENTLY t_id_idx ON t (id);\nCREATE INDEX CONCURRENTLY t_m_idx ON t (m);',
    )
    await project.add('migrations', '003_add.sql', "ALTER TYPE mood ADD VALUE 'great';")
    await project.add('migrations', '004_use.sql', "INSERT INTO t VALUES (1, 'great');")
    await run('build', '1.0.0', '--irreversible')
    const result = await run('apply')
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    const indexes = await query<{ indexname: string }>(
      env['DATABASE_URL']!,
      "SELECT indexname FROM pg_indexes WHERE tablename = 't' ORDER BY 1",
    )
    expect(indexes.map((i) => i.indexname)).toEqual(['t_id_idx', 't_m_idx'])
    expect(await query(env['DATABASE_URL']!, 'SELECT count(*)::int AS n FROM squizzle.progress')).toEqual([{ n: 0 }])
  })

  it('resumes a failed multi-step version after the cause is fixed, without rerunning finished statements', async () => {
    await project.add('migrations', '001_t.sql', 'CREATE TABLE t (id int);')
    await project.add(
      'migrations',
      '002_idx.sql',
      '-- squizzle:no-transaction\nCREATE INDEX CONCURRENTLY t_id_idx ON t (id);\nCREATE INDEX CONCURRENTLY t_x_idx ON t (x);',
    )
    await run('build', '1.0.0', '--irreversible', '--no-snapshot') // fails on purpose: an empty database cannot replay it
    const failed = await run('apply', '--json')
    expect(failed.code).toBe(1)
    expect(json<{ error: { details: { resumable: boolean } } }>(failed.stdout).error.details.resumable).toBe(true)
    // A human fixes the cause; the retry resumes at the second statement.
    await query(env['DATABASE_URL']!, 'ALTER TABLE t ADD COLUMN x int')
    const retry = await run('apply')
    expect(retry.code).toBe(0)
    expect(retry.stdout).toMatch(/resumes at statement 2/)
    const status = json<{ current: string; failed: unknown[] }>((await run('status', '--json')).stdout)
    expect(status).toMatchObject({ current: '1.0.0', failed: [] })
  })

  it('says a failed single no-transaction file is resumable, because its first statements stay applied', async () => {
    await query(env['DATABASE_URL']!, 'CREATE TABLE t (id int)')
    await project.add(
      'migrations',
      '001_idx.sql',
      '-- squizzle:no-transaction\nCREATE INDEX CONCURRENTLY t_id_idx ON t (id);\nCREATE INDEX CONCURRENTLY t_x_idx ON t (x);',
    )
    await run('build', '1.0.0', '--irreversible', '--no-snapshot') // fails on purpose: an empty database cannot replay it
    const failed = await run('apply', '--json')
    expect(failed.code).toBe(1)
    expect(json<{ error: { details: { resumable: boolean } } }>(failed.stdout).error.details.resumable).toBe(true)
    expect(await query(env['DATABASE_URL']!, "SELECT indexname FROM pg_indexes WHERE tablename = 't'")).toEqual([
      { indexname: 't_id_idx' },
    ])
    const status = json<{ failed: { resumable: boolean }[] }>((await run('status', '--json')).stdout)
    expect(status.failed).toMatchObject([{ resumable: true }])
  })

  it('refuses a never-applied version older than the current one, naming it', async () => {
    await project.add('migrations', '001_a.sql', 'CREATE TABLE a (id int);')
    await run('build', '1.0.0', '--irreversible')
    await project.add('migrations', '002_b.sql', 'CREATE TABLE b (id int);')
    await run('build', '2.0.0', '--irreversible')
    expect((await run('apply')).code).toBe(0)
    // 1.5.0 is built elsewhere and copied into the same storage after 2.0.0 was applied.
    const elsewhere = await createProject()
    try {
      await elsewhere.add('migrations', '001_c.sql', 'CREATE TABLE c (id int);')
      expect((await squizzle(['build', '1.5.0', '--irreversible'], { cwd: elsewhere.dir, env })).code).toBe(0)
      await copyVersion(
        new OciLayoutTarget(join(elsewhere.dir, '.squizzle/artifacts')),
        new OciLayoutTarget(join(project.dir, '.squizzle/artifacts')),
        '1.5.0',
      )
    } finally {
      await elsewhere.remove()
    }
    const late = await run('apply', '--json')
    expect(late.code).toBe(1)
    expect(json<{ error: { code: string; details: { versions: string[] } } }>(late.stdout).error).toMatchObject({
      code: 'OUT_OF_ORDER',
      details: { versions: ['1.5.0'] },
    })
    const status = json<{ pending: { version: string; outOfOrder: boolean }[] }>((await run('status', '--json')).stdout)
    expect(status.pending).toMatchObject([{ version: '1.5.0', outOfOrder: true }])
    expect((await run('apply', '--allow-out-of-order')).code).toBe(0)
    expect(await query(env['DATABASE_URL']!, "SELECT to_regclass('public.c')::text AS t")).toEqual([{ t: 'c' }])
  })

  it('prints the plan and statements with --dry-run and changes nothing', async () => {
    await project.add('migrations', '001_a.sql', 'CREATE TABLE a (id int);\nCREATE TABLE b (id int);')
    await project.add(
      'migrations',
      '002_idx.sql',
      '-- squizzle:no-transaction\nCREATE INDEX CONCURRENTLY a_idx ON a (id);',
    )
    await run('build', '1.0.0', '--irreversible')
    const dry = await run('apply', '--dry-run', '--json')
    expect(dry.code).toBe(0)
    const doc = json<{
      versions: {
        version: string
        segments: { transactional: boolean; files: { path: string; statements: { text: string }[] }[] }[]
      }[]
    }>(dry.stdout)
    expect(
      doc.versions[0]!.segments.map((s) => [
        s.transactional,
        s.files.map((f) => [f.path, f.statements.map((x) => x.text)]),
      ]),
    ).toEqual([
      [true, [['migrations/001_a.sql', ['CREATE TABLE a (id int)', 'CREATE TABLE b (id int)']]]],
      [false, [['migrations/002_idx.sql', ['CREATE INDEX CONCURRENTLY a_idx ON a (id)']]]],
    ])
    expect(
      await query(env['DATABASE_URL']!, "SELECT to_regclass('public.a') AS t, to_regclass('squizzle.history') AS h"),
    ).toEqual([{ t: null, h: null }])
  })
})
