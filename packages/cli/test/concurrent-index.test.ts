import { PostgresDriver } from '@squizzle/driver-postgres'
import { createTestDatabase, query } from '@squizzle/testkit'
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest'
import { collect, squizzle, startSquizzle, type CliResult } from './support/cli-process.js'
import { createProject, type TestProject } from './support/project.js'

let project: TestProject
let url: string
const run = (...args: string[]) => squizzle(args, { cwd: project.dir, env: { DATABASE_URL: url } })
const json = <T>(r: CliResult): T => JSON.parse(r.stdout) as T

beforeEach(async () => {
  project = await createProject()
  url = await createTestDatabase(inject('postgresUrl'))
})
afterEach(async () => {
  await project.remove()
})

async function waitFor(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 50))
  }
}

const validity = (index: string) =>
  query<{ valid: boolean }>(
    url,
    `SELECT indisvalid AS valid FROM pg_index
    WHERE indexrelid = to_regclass('${index}')`,
  )
const activity = async (where: string) =>
  (await query(url, `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND ${where}`)).length

type Status = { invalidIndexes: { schema: string; name: string; table: string }[] }

describe('CREATE INDEX CONCURRENTLY, interrupted', () => {
  it('rebuilds the invalid index a SIGKILL left (IF NOT EXISTS would skip it); status reports it', async () => {
    await query(url, 'CREATE TABLE big AS SELECT g AS id, md5(g::text) AS payload FROM generate_series(1, 200000) g')
    const sql = '-- squizzle:no-transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS big_payload_idx ON big (payload);'
    await project.add('migrations', '001_index.sql', sql)
    expect((await run('build', '1.0.0', '--irreversible', '--no-snapshot')).code).toBe(0)
    // An open writer makes the build wait after it has created the (still invalid) index: the kill lands mid-statement.
    const writer = new PostgresDriver({ url, applicationName: 'test writer' })
    await writer.connect()
    let release!: () => void
    const released = new Promise<void>((resolve) => (release = resolve))
    let wrote!: () => void
    const hasWritten = new Promise<void>((resolve) => (wrote = resolve))
    const writing = writer.transaction(async (tx) => {
      const statements = ["INSERT INTO big VALUES (0, 'x')"]
      await tx.run({ version: 'test', path: 'writer', statements })
      wrote()
      await released
    })
    try {
      await hasWritten
      const child = startSquizzle(['apply'], { cwd: project.dir, env: { DATABASE_URL: url } })
      const done = collect(child)
      const waiting = "wait_event_type = 'Lock' AND query LIKE 'CREATE INDEX CONCURRENTLY%'"
      await waitFor(async () => (await activity(waiting)) > 0)
      expect(await validity('big_payload_idx')).toEqual([{ valid: false }])
      child.kill('SIGKILL')
      expect((await done).signal).toBe('SIGKILL')
      // The server notices the dead client (client_connection_check_interval) and cancels the build.
      await waitFor(async () => (await activity("query LIKE 'CREATE INDEX CONCURRENTLY%'")) === 0)
    } finally {
      release()
      await writing.catch(() => undefined)
      await writer.close()
    }
    expect(await validity('big_payload_idx')).toEqual([{ valid: false }])
    const before = await run('status', '--json')
    expect(json<Status>(before).invalidIndexes).toEqual([{ schema: 'public', name: 'big_payload_idx', table: 'big' }])

    const retry = await run('apply')
    expect(retry.stderr).toBe('')
    expect(retry.code).toBe(0)
    expect(retry.stdout).toMatch(/dropping invalid index public\.big_payload_idx/)
    expect(await validity('big_payload_idx')).toEqual([{ valid: true }])
    expect(json<Status>(await run('status', '--json')).invalidIndexes).toEqual([])
  })

  it('reports an invalid index in status, as text and in --json', async () => {
    await project.add('migrations', '001_dups.sql', 'CREATE TABLE dups (v int);')
    expect((await run('build', '1.0.0', '--irreversible')).code).toBe(0)
    expect((await run('apply')).code).toBe(0)
    await query(url, 'INSERT INTO dups VALUES (1), (1)')
    const build = query(url, 'CREATE UNIQUE INDEX CONCURRENTLY dups_v_key ON dups (v)')
    await expect(build).rejects.toThrow(/could not create unique index/)
    const text = await run('status')
    expect(text.code).toBe(0)
    expect(text.stdout).toMatch(/Invalid\s+index public\.dups_v_key on dups/)
    const status = json<Status>(await run('status', '--json'))
    expect(status.invalidIndexes).toEqual([{ schema: 'public', name: 'dups_v_key', table: 'dups' }])
  })
})

describe('resuming a no-transaction file', () => {
  it('replays its earlier SET search_path, and names file, line and statement of the failure', async () => {
    await query(url, 'CREATE SCHEMA app; CREATE TABLE app.members (email text)')
    await query(url, "INSERT INTO app.members VALUES ('a@x'), ('a@x'), ('b@x')")
    const sql =
      '-- squizzle:no-transaction\nSET search_path = app;\n' +
      'CREATE UNIQUE INDEX CONCURRENTLY members_email_key\n  ON members (email);\n'
    await project.add('migrations', '001_members.sql', sql)
    expect((await run('build', '1.0.0', '--irreversible', '--no-snapshot')).code).toBe(0)

    const failed = await run('apply', '--json')
    expect(failed.code).toBe(1)
    const error = json<{ error: { code: string; message: string; details: Record<string, unknown> } }>(failed).error
    expect(error.code).toBe('MIGRATION_FAILED')
    const path = 'migrations/001_members.sql'
    expect(error.details).toMatchObject({ path, line: 3, statement: 2, resumeAt: { path, statement: 2 } })
    expect(error.message).toContain('migrations/001_members.sql:3 (statement 2)')
    const text = await run('apply')
    expect(text.code).toBe(1)
    expect(text.stderr).toContain('migrations/001_members.sql:3 (statement 2)')

    await query(url, "DELETE FROM app.members WHERE ctid = (SELECT max(ctid) FROM app.members WHERE email = 'a@x')")
    const retry = await run('apply')
    expect(retry.stderr).toBe('')
    expect(retry.code).toBe(0)
    expect(retry.stdout).toMatch(/resumes at statement 2 \(after restoring 1 session setting\)/)
    expect(await validity('app.members_email_key')).toEqual([{ valid: true }])
  })
})
