import { createTestDatabase, query } from '@squizzle/testkit'
import { PostgresDriver } from '@squizzle/driver-postgres'
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest'
import { collect, squizzle, startSquizzle } from './support/cli-process.js'
import { createProject, type TestProject } from './support/project.js'

let project: TestProject
let url: string
const run = (...args: string[]) => squizzle(args, { cwd: project.dir, env: { DATABASE_URL: url } })
// Sleeps a minute unless the table `fast` exists: the resumed run must not wait again.
const sleep = "SELECT pg_sleep(CASE WHEN to_regclass('public.fast') IS NULL THEN 60 ELSE 0 END)"

beforeEach(async () => {
  project = await createProject()
  url = await createTestDatabase(inject('postgresUrl'))
})
afterEach(() => project.remove())

/** Starts `apply`, presses Ctrl-C once `seen` is in its output, and waits for it to end. */
async function interruptedApply(seen: string) {
  const child = startSquizzle(['apply'], { cwd: project.dir, env: { DATABASE_URL: url } })
  let out = ''
  let pressed = false
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString()
    // Once, shortly after the statement started (the line comes just before it): a later chunk
    // of output (progress lines) must not press it again.
    if (pressed || !out.includes(seen)) return
    pressed = true
    setTimeout(() => child.kill('SIGINT'), 1500)
  })
  const started = Date.now()
  const result = await collect(child)
  return { ...result, stdout: out + result.stdout, seconds: (Date.now() - started) / 1000 }
}

describe('Ctrl-C during apply', () => {
  it('cancels the running statement, says nothing of the version was committed, and exits 130', async () => {
    await project.add('migrations', '001_slow.sql', `CREATE TABLE t (id int);\n${sleep};\n`)
    await project.add('rollback', '001_slow.sql', 'DROP TABLE t;')
    expect((await run('build', '1.0.0', '--no-snapshot')).code).toBe(0)
    const r = await interruptedApply('→ 1.0.0')
    expect(r.code, r.stderr).toBe(130)
    expect(r.seconds).toBeLessThan(45)
    expect(r.stderr).toContain('Interrupted')
    expect(r.stderr).toMatch(
      /apply was cancelled while running migrations\/001_slow\.sql; nothing of 1\.0\.0 was committed \[CANCELLED\]/,
    )
    expect(await query(url, "SELECT to_regclass('public.t')::text AS t")).toEqual([{ t: null }])
    expect(await query(url, 'SELECT version, status, error_code FROM squizzle.history')).toEqual([
      { version: '1.0.0', status: 'failed', error_code: 'CANCELLED' },
    ])
    expect(await query(url, 'SELECT count(*)::int AS n FROM squizzle.applied')).toEqual([{ n: 0 }])
    await query(url, 'CREATE TABLE fast (id int)')
    expect((await run('apply')).code).toBe(0)
  })

  it('outside a transaction, keeps the statements done and says where apply resumes', async () => {
    await project.add(
      'migrations',
      '001_steps.sql',
      `-- squizzle:no-transaction\nCREATE TABLE t (id int);\n${sleep};\nCREATE TABLE v (id int);\n`,
    )
    await project.add('rollback', '001_steps.sql', 'DROP TABLE v;\nDROP TABLE t;')
    expect((await run('build', '1.0.0', '--no-snapshot')).code).toBe(0)
    const r = await interruptedApply('→ 1.0.0')
    expect(r.code, r.stderr).toBe(130)
    expect(r.stderr).toMatch(
      /the statements of migrations\/001_steps\.sql before statement 2 are committed; running again resumes at statement 2/,
    )
    expect(await query(url, "SELECT to_regclass('public.t')::text AS t, to_regclass('public.v')::text AS v")).toEqual([
      { t: 't', v: null },
    ])
    // The run gave its claim up: the version is not applied, and the next run may take it.
    expect(await query(url, 'SELECT count(*)::int AS n FROM squizzle.applied')).toEqual([{ n: 0 }])
    expect(await query(url, 'SELECT path, statement FROM squizzle.progress')).toEqual([
      { path: 'migrations/001_steps.sql', statement: 0 },
    ])
    const json = JSON.parse((await run('status', '--json')).stdout) as {
      failed: { code: string; resumable: boolean }[]
    }
    expect(json.failed).toMatchObject([{ code: 'CANCELLED', resumable: true }])
    await query(url, 'CREATE TABLE fast (id int)')
    const resumed = await run('apply')
    expect(resumed.code, resumed.stderr).toBe(0)
    expect(resumed.stdout).toContain('resumes at statement 2')
    expect(await query(url, "SELECT to_regclass('public.v')::text AS v")).toEqual([{ v: 'v' }])
  })

  it('a second Ctrl-C quits at once, while the first waits for a safe point', async () => {
    await project.add('migrations', '001_t.sql', 'CREATE TABLE t (id int);')
    await project.add('rollback', '001_t.sql', 'DROP TABLE t;')
    expect((await run('build', '1.0.0', '--no-snapshot')).code).toBe(0)
    // Another session holds the migration lock: apply waits for it.
    const holder = new PostgresDriver({ url, applicationName: 'holder' })
    await holder.connect()
    try {
      await holder.lock({ timeoutMs: 10_000 })
      const child = startSquizzle(['apply', '--lock-timeout', '2m'], { cwd: project.dir, env: { DATABASE_URL: url } })
      let err = ''
      child.stderr!.on('data', (d: Buffer) => (err += d.toString()))
      child.stdout!.on('data', (d: Buffer) => {
        if (d.toString().includes('Waiting for the migration lock')) {
          child.kill('SIGINT')
          setTimeout(() => child.kill('SIGINT'), 500)
        }
      })
      const r = await collect(child)
      expect(r.code).toBe(130)
      expect(err).toContain('Quitting now')
      expect(await query(url, "SELECT to_regclass('public.t')::text AS t")).toEqual([{ t: null }])
    } finally {
      await holder.close()
    }
  })
})
