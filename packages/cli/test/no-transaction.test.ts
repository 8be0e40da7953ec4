import { PostgresDriver } from '@squizzle/driver-postgres'
import { createTestDatabase, query } from '@squizzle/testkit'
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest'
import { collect, squizzle, startSquizzle } from './support/cli-process.js'
import { createProject, type TestProject } from './support/project.js'
import { waitFor } from './support/wait-for.js'

let project: TestProject
let url: string
const run = (...args: string[]) => squizzle(args, { cwd: project.dir, env: { DATABASE_URL: url } })
const json = <T = Record<string, unknown>>(stdout: string): T => JSON.parse(stdout) as T

beforeEach(async () => {
  project = await createProject()
  url = await createTestDatabase(inject('postgresUrl'))
})
afterEach(async () => {
  await project.remove()
})

const noLeak = (where: string) => `DO $$ BEGIN
  IF current_setting('lock_timeout') = '1234ms' THEN RAISE EXCEPTION 'lock_timeout leaked into ${where}'; END IF;
  IF current_setting('search_path') LIKE '%elsewhere%' THEN RAISE EXCEPTION 'search_path leaked into ${where}'; END IF;
END $$;`

describe('transaction scope and session settings', () => {
  it.each(['version', 'file'] as const)(
    'never lets SET lock_timeout / search_path leak into the next file (scope %s)',
    async (scope) => {
      await project.add(
        'migrations',
        '001_settings.sql',
        "CREATE SCHEMA elsewhere;\nSET lock_timeout = '1234ms';\nSET search_path = elsewhere, " +
          'public;\nCREATE TABLE made_elsewhere (id int);',
      )
      await project.add('migrations', '002_check.sql', `${noLeak('002')}\nCREATE TABLE made_in_public (id int);`)
      await project.add(
        'migrations',
        '003_nontx.sql',
        `-- squizzle:no-transaction\n${noLeak('003')}\nSET search_path = elsewhere;`,
      )
      await project.add('migrations', '004_check.sql', noLeak('004'))
      await project.add('rollback', '001_settings.sql', 'DROP SCHEMA elsewhere CASCADE;')
      await project.add('rollback', '002_check.sql', 'DROP TABLE made_in_public;')
      await project.add('rollback', '003_nontx.sql', 'SELECT 1;')
      await project.add('rollback', '004_check.sql', 'SELECT 1;')
      expect((await run('build', '1.0.0', '--transaction-scope', scope)).code).toBe(0)
      await project.add('migrations', '005_next_version.sql', noLeak('the next version'))
      await project.add('rollback', '005_next_version.sql', 'SELECT 1;')
      expect((await run('build', '1.1.0', '--transaction-scope', scope)).code).toBe(0)

      // The scope is recorded per version: two transactional files before the no-transaction one.
      const plan = json<{ versions: { segments: { transactional: boolean }[] }[] }>(
        (await run('apply', '--dry-run', '--json')).stdout,
      )
      expect(plan.versions[0]!.segments.map((s) => s.transactional)).toEqual(
        scope === 'version' ? [true, false, true] : [true, true, false, true],
      )

      const r = await run('apply')
      expect(r.stderr).toBe('')
      expect(r.code).toBe(0)
      expect(
        await query(
          url,
          "SELECT table_schema, table_name FROM information_schema.tables WHERE table_name LIKE 'made_%' ORDER BY 2",
        ),
      ).toEqual([
        { table_schema: 'elsewhere', table_name: 'made_elsewhere' },
        { table_schema: 'public', table_name: 'made_in_public' },
      ])
    },
  )

  it('refuses an unknown --transaction-scope (exit 2)', async () => {
    await project.add('migrations', '001_a.sql', 'SELECT 1;')
    expect((await run('build', '1.0.0', '--irreversible', '--transaction-scope', 'statement')).code).toBe(2)
  })
})

describe('a crash in the middle of a no-transaction file', () => {
  it('resumes at the statement that was running, without repeating the ones before it', async () => {
    await query(url, 'CREATE TABLE gate (id int)')
    // Statement 1 is not repeatable; statement 2 blocks on a lock this test holds until the process is killed.
    await project.add(
      'migrations',
      '001_steps.sql',
      '-- squizzle:no-transaction\nCREATE TABLE step_one (id int);\nINSERT INTO gate VALUES (2);\nCREATE ' +
        'TABLE step_three (id int);',
    )
    await run('build', '1.0.0', '--irreversible', '--no-snapshot') // the gate table exists only in this test's database
    const holder = new PostgresDriver({ url, applicationName: 'test gate' })
    await holder.connect()
    let release!: () => void
    const released = new Promise<void>((resolve) => (release = resolve))
    let locked!: () => void
    const isLocked = new Promise<void>((resolve) => (locked = resolve))
    const holding = holder.transaction(async (tx) => {
      await tx.run({ version: 'test', path: 'gate', statements: ['LOCK TABLE gate IN ACCESS EXCLUSIVE MODE'] })
      locked()
      await released
    })
    try {
      await isLocked
      const child = startSquizzle(['apply'], { cwd: project.dir, env: { DATABASE_URL: url } })
      const done = collect(child)
      await waitFor(async () => {
        const [row] = await query<{ n: number }>(
          url,
          'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND ' +
            "wait_event_type = 'Lock' AND query LIKE " +
            "'INSERT INTO gate%'",
        )
        return (row?.n ?? 0) > 0
      }, 'the apply to block on the gate')
      child.kill('SIGKILL')
      expect((await done).signal).toBe('SIGKILL')
      // The server notices the dead client (client_connection_check_interval) and cancels its statement.
      // Only then is the lock released: a statement the server finished before noticing would be in
      // flight from the client's point of view, and a resume runs it again (see the README).
      await waitFor(async () => {
        const [row] = await query<{ n: number }>(
          url,
          'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND ' +
            "query LIKE 'INSERT INTO gate%'",
        )
        return row?.n === 0
      }, 'the server to cancel the killed apply’s statement')
    } finally {
      release()
      await holding
      await holder.close()
    }
    expect(await query(url, 'SELECT path, statement FROM squizzle.progress ORDER BY id')).toEqual([
      { path: 'migrations/001_steps.sql', statement: 0 },
    ])
    const retry = await run('apply')
    expect(retry.stderr).toBe('')
    expect(retry.code).toBe(0)
    expect(retry.stdout).toMatch(/resumes at statement 2/)
    expect(await query(url, 'SELECT id FROM gate')).toEqual([{ id: 2 }])
    expect(await query(url, "SELECT to_regclass('public.step_three')::text AS t")).toEqual([{ t: 'step_three' }])
  })
})
