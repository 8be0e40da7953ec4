import { PostgresDriver } from '@squizzle/driver-postgres'
import { createTestDatabase, query } from '@squizzle/testkit'
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest'
import { collect, squizzle, startSquizzle } from './support/cli-process.js'
import { createProject, type TestProject } from './support/project.js'
import { waitFor } from './support/wait-for.js'

let project: TestProject
let url: string
const run = (...args: string[]) => squizzle(args, { cwd: project.dir, env: { DATABASE_URL: url } })

beforeEach(async () => {
  project = await createProject()
  url = await createTestDatabase(inject('postgresUrl'))
})
afterEach(async () => {
  await project.remove()
})

describe('concurrent and interrupted applies', () => {
  it('lets two processes apply at once: each version is recorded exactly once', async () => {
    await project.add('migrations', '001_slow.sql', 'CREATE TABLE t1 (id int); SELECT pg_sleep(1);')
    await run('build', '1.0.0', '--irreversible')
    await project.add('migrations', '002_more.sql', 'CREATE TABLE t2 (id int);')
    await run('build', '1.1.0', '--irreversible')
    const env = { DATABASE_URL: url }
    const [a, b] = await Promise.all([
      collect(startSquizzle(['apply', '--json'], { cwd: project.dir, env })),
      collect(startSquizzle(['apply', '--json'], { cwd: project.dir, env })),
    ])
    expect([a.code, b.code]).toEqual([0, 0])
    const applied = [a, b].map((r) => (JSON.parse(r.stdout) as { applied: string[] }).applied)
    expect(applied.flat().sort()).toEqual(['1.0.0', '1.1.0'])
    expect(applied.some((list) => list.length === 0)).toBe(true)
    const rows = await query<{ version: string; n: number }>(
      url,
      "SELECT version, count(*)::int AS n FROM squizzle.history WHERE status = 'success' GROUP BY version " +
        'ORDER BY version',
    )
    expect(rows).toEqual([
      { version: '1.0.0', n: 1 },
      { version: '1.1.0', n: 1 },
    ])
  })

  it('leaves no partial schema and no held lock when the process is killed mid-apply', async () => {
    await query(url, 'CREATE TABLE slow_marker ()')
    await project.add('migrations', '001_a.sql', 'CREATE TABLE half_done (id int);')
    await project.add(
      'migrations',
      '002_wait.sql',
      "SELECT pg_sleep(CASE WHEN to_regclass('public.slow_marker') IS NULL THEN 0 ELSE 60 END);",
    )
    await run('build', '1.0.0', '--irreversible')
    const child = startSquizzle(['apply'], { cwd: project.dir, env: { DATABASE_URL: url } })
    const done = collect(child)
    const sleeping =
      "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND query LIKE '%pg_sleep(CASE%' " +
      "AND state = 'active' AND pid <> " +
      'pg_backend_pid()'
    await waitFor(async () => (await query(url, sleeping)).length > 0, 'the apply to reach its sleeping statement')
    child.kill('SIGKILL')
    expect((await done).signal).toBe('SIGKILL')
    // The server notices the dead client, rolls its transaction back and frees the lock.
    const probe = new PostgresDriver({ url })
    await probe.connect()
    try {
      await waitFor(async () => (await probe.lockHolder()) === null, 'the server to free the lock')
      // The work connection's backend notices the dead client too and rolls back.
      const running =
        "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND query LIKE '%pg_sleep(CASE%' " +
        'AND pid <> pg_backend_pid()'
      await waitFor(async () => (await query(url, running)).length === 0, 'the server to end the killed apply')
    } finally {
      await probe.close()
    }
    expect(await query(url, "SELECT to_regclass('public.half_done') AS t")).toEqual([{ t: null }])
    expect(await query(url, "SELECT count(*)::int AS n FROM squizzle.history WHERE status = 'success'")).toEqual([
      { n: 0 },
    ])
    await query(url, 'DROP TABLE slow_marker')
    const retry = await run('apply')
    expect(retry.code).toBe(0)
    expect(await query(url, "SELECT to_regclass('public.half_done')::text AS t")).toEqual([{ t: 'half_done' }])
  })

  it('answers a no-op apply without the lock, and still waits for it when there is work', async () => {
    await project.add('migrations', '001_a.sql', 'CREATE TABLE a (id int);')
    await run('build', '1.0.0', '--irreversible')
    expect((await run('apply')).code).toBe(0)
    const holder = new PostgresDriver({ url, applicationName: 'release-bot' })
    await holder.connect()
    const lock = await holder.lock({ timeoutMs: 1000 })
    const env = { DATABASE_URL: url }
    try {
      // Nothing pending: the run in every pipeline does not queue behind a deploy.
      const noop = await squizzle(['apply', '--lock-timeout', '1s', '--json'], { cwd: project.dir, env })
      expect(noop.code).toBe(0)
      expect(JSON.parse(noop.stdout)).toMatchObject({ applied: [], current: '1.0.0', alreadyCurrent: true })
      await project.add('migrations', '002_b.sql', 'CREATE TABLE b (id int);')
      await run('build', '1.1.0', '--irreversible')
      const blocked = await squizzle(['apply', '--lock-timeout', '1s'], { cwd: project.dir, env })
      expect(blocked.code).toBe(5)
      expect(blocked.stderr).toContain('LOCK_TIMEOUT')
    } finally {
      await lock.release()
      await holder.close()
    }
    expect(await query(url, "SELECT to_regclass('public.b') AS t")).toEqual([{ t: null }])
  })

  it('gives up with exit 5 and names the holder when the lock stays taken', async () => {
    await project.add('migrations', '001_a.sql', 'CREATE TABLE a (id int);')
    await run('build', '1.0.0', '--irreversible')
    const holder = new PostgresDriver({ url, applicationName: 'release-bot' })
    await holder.connect()
    const lock = await holder.lock({ timeoutMs: 1000 })
    try {
      const r = await squizzle(['apply', '--lock-timeout', '1s'], { cwd: project.dir, env: { DATABASE_URL: url } })
      expect(r.code).toBe(5)
      expect(r.stderr).toContain('release-bot (lock)')
      expect(r.stderr).toContain('LOCK_TIMEOUT')
    } finally {
      await lock.release()
      await holder.close()
    }
    expect((await run('apply')).code).toBe(0)
  })
})
