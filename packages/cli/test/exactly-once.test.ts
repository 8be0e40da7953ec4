import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { gunzipSync, gzipSync } from 'node:zlib'
import { createTestDatabase, query } from '@squizzle/testkit'
import postgres from 'postgres'
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest'
import { collect, squizzle, startSquizzle, type CliResult } from './support/cli-process.js'
import { createProject, type TestProject } from './support/project.js'

let project: TestProject
let url: string
const env = () => ({ DATABASE_URL: url })
const run = (...args: string[]) => squizzle(args, { cwd: project.dir, env: env() })
const start = (...args: string[]) => collect(startSquizzle(args, { cwd: project.dir, env: env() }))
type ErrorDocument = { error: { code: string; message: string; details: Record<string, unknown> } }
const errorOf = (r: CliResult) => (JSON.parse(r.stdout) as ErrorDocument).error

beforeEach(async () => {
  project = await createProject()
  url = await createTestDatabase(inject('postgresUrl'))
  // Runs of the migration are counted here: an INSERT commits twice without complaint, a CREATE TABLE would not.
  await query(url, 'CREATE TABLE runs (at timestamptz)')
})
afterEach(async () => {
  await project.remove()
})

async function waitFor(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 50))
  }
}

const sleeping = async () => {
  const rows = await query(
    url,
    `SELECT 1 FROM pg_stat_activity
    WHERE datname = current_database() AND query LIKE '%pg_sleep(%' AND state = 'active' AND pid <> pg_backend_pid()`,
  )
  return rows.length > 0
}

/** How often the version ran and was recorded: runs of its SQL, success rows, applied marks. */
async function counts(): Promise<{ runs: number; successes: number; marks: number }> {
  const [row] = await query<{ runs: number; successes: number; marks: number }>(
    url,
    `SELECT
    (SELECT count(*)::int FROM runs) AS runs,
    (SELECT count(*)::int FROM squizzle.history WHERE status = 'success' AND version = '1.0.0') AS successes,
    (SELECT count(*)::int FROM squizzle.applied WHERE version = '1.0.0' AND state = 'applied') AS marks`,
  )
  return row!
}

/** A key of the one-bigint advisory lock form: Squizzle's migration lock uses the two-int form, so they never meet. */
const heldKey = 7_301_001
/** SQL that waits until the test releases its session lock on `heldKey`. */
const waitForTest = `SELECT pg_advisory_xact_lock(${heldKey})`

/** Sessions of this test's database waiting on a lock (the advisory one, or another run's uncommitted row). */
async function lockWaiters(): Promise<number> {
  const [row] = await query<{ n: number }>(
    url,
    `SELECT count(*)::int AS n FROM pg_stat_activity
    WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()`,
  )
  return row!.n
}

async function buildSlowVersion(seconds: number): Promise<void> {
  await project.add('migrations', '001_slow.sql', `INSERT INTO runs VALUES (now());\nSELECT pg_sleep(${seconds});\n`)
  // --no-snapshot: the runs table exists only in this test's database, not in a replay.
  expect((await run('build', '1.0.0', '--irreversible', '--no-snapshot')).code).toBe(0)
}

describe('exactly once when the lock session drops', () => {
  it('fails the run whose lock backend was terminated (LOCK_LOST, exit 5); a second one applies it once', async () => {
    // The version waits on an advisory lock the test holds, not on a sleep: the lock session is killed while the
    // version is surely in flight, and it commits (or not) only once the test lets it go, however loaded the machine.
    const blocker = postgres(url, { max: 1, onnotice: () => {} })
    try {
      await blocker`SELECT pg_advisory_lock(${heldKey})`
      await project.add('migrations', '001_held.sql', `INSERT INTO runs VALUES (now());\n${waitForTest};\n`)
      expect((await run('build', '1.0.0', '--irreversible', '--no-snapshot')).code).toBe(0)
      const first = start('apply', '--json')
      await waitFor(async () => (await lockWaiters()) >= 1)
      await query(
        url,
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE application_name = 'squizzle (lock)' AND datname = current_database()`,
      )
      const second = start('apply', '--json')
      // The second run waits too (on the first's uncommitted applied row): both are in flight at once.
      await waitFor(async () => (await lockWaiters()) >= 2)
      await blocker`SELECT pg_advisory_unlock(${heldKey})`
      const [a, b] = await Promise.all([first, second])
      expect(a.code).toBe(5)
      expect(errorOf(a).code).toBe('LOCK_LOST')
      expect(errorOf(a).details).toMatchObject({ version: '1.0.0', committed: 'nothing' })
      expect(b.stderr).toBe('')
      expect(b.code).toBe(0)
    } finally {
      await blocker.end()
    }
    expect(await counts()).toEqual({ runs: 1, successes: 1, marks: 1 })
    const failed = await query(url, "SELECT status, error_code FROM squizzle.history WHERE status = 'failed'")
    expect(failed).toEqual([{ status: 'failed', error_code: 'LOCK_LOST' }])
  })

  it('keeps the lock through idle_session_timeout: a second apply waits, then finds nothing to apply', async () => {
    await query(url, `ALTER DATABASE ${new URL(url).pathname.slice(1)} SET idle_session_timeout = '2s'`)
    await buildSlowVersion(4)
    const first = start('apply', '--json')
    await waitFor(sleeping)
    // Longer than the timeout: an idle lock session would be gone by now.
    await new Promise((r) => setTimeout(r, 2500))
    const second = start('apply', '--json')
    const [a, b] = await Promise.all([first, second])
    expect([a.code, b.code]).toEqual([0, 0])
    expect((JSON.parse(b.stdout) as { applied: string[] }).applied).toEqual([])
    expect(await counts()).toEqual({ runs: 1, successes: 1, marks: 1 })
  })
})

describe('connection loss', () => {
  it.each([
    ['in a transaction', ''],
    ['outside a transaction', '-- squizzle:no-transaction\n'],
  ])(
    'turns terminated backends mid-file (%s) into CONNECTION_LOST, exit 1, no stack',
    async (_name, directive) => {
      // A sleep far longer than the bound below: returning within it means the loss was noticed, not waited out.
      const sql = `${directive}INSERT INTO runs VALUES (now());\nSELECT pg_sleep(300);\n`
      await project.add('migrations', '001_slow.sql', sql)
      expect((await run('build', '1.0.0', '--irreversible', '--no-snapshot')).code).toBe(0)
      for (const json of [true, false]) {
        const started = Date.now()
        const applying = start('apply', ...(json ? ['--json'] : []))
        await waitFor(sleeping)
        await query(
          url,
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid()`,
        )
        const r = await applying
        expect(Date.now() - started).toBeLessThan(120_000)
        expect(r.code).toBe(1)
        expect(r.stderr).not.toMatch(/TypeError| {4}at /)
        if (!json) {
          expect(r.stderr).toMatch(/CONNECTION_LOST/)
          continue
        }
        const error = errorOf(r)
        expect(error.code).toBe('CONNECTION_LOST')
        if (directive) {
          // The INSERT committed on its own; the sleep was in flight: a new run resumes at it.
          const resumeAt = { path: 'migrations/001_slow.sql', statement: 2 }
          expect(error.details).toMatchObject({ committed: 'partial', resumeAt, line: 3 })
          expect(error.message).toMatch(/resumes at statement 2/)
        } else {
          expect(error.details).toMatchObject({ committed: 'nothing', resumeAt: null })
          expect(error.message).toMatch(/nothing of 1\.0\.0 was committed/)
        }
      }
      expect((await counts()).successes).toBe(0)
    },
    300_000,
  )
})

describe('verify every byte first', () => {
  it('refuses a hostile 1.1.0 before the valid 1.0.0 below it runs (exit 3, nothing applied)', async () => {
    await project.add('migrations', '001_users.sql', 'CREATE TABLE users (id int);')
    expect((await run('build', '1.0.0', '--irreversible')).code).toBe(0)
    await project.add('migrations', '002_orders.sql', 'CREATE TABLE orders (id int);')
    expect((await run('build', '1.1.0', '--irreversible')).code).toBe(0)
    // A well-formed bundle whose SQL is not what the manifest and digest promise.
    const layer = await layerBlob('1.1.0')
    const tar = gunzipSync(await readFile(layer))
    tar.write('DROP   TABLE orders', tar.indexOf('CREATE TABLE orders'))
    await writeFile(layer, gzipSync(tar))
    const r = await run('apply', '--json')
    expect(r.code).toBe(3)
    expect(errorOf(r).code).toBe('DIGEST_MISMATCH')
    const audit = await query(url, 'SELECT version, outcome FROM squizzle.audit')
    expect(audit).toEqual([{ version: '1.1.0', outcome: 'refused' }])
    expect(await query(url, "SELECT to_regclass('public.users') AS t")).toEqual([{ t: null }])
    expect(await query(url, 'SELECT count(*)::int AS n FROM squizzle.history')).toEqual([{ n: 0 }])
    const events = (JSON.parse(r.stdout) as { events: { type: string }[] }).events.map((e) => e.type)
    expect(events).not.toContain('version.start')
  })
})

/** The bundle layer blob of a version in the project's OCI layout. */
async function layerBlob(version: string): Promise<string> {
  const layout = join(project.dir, '.squizzle/artifacts')
  const blob = (digest: string) => join(layout, 'blobs/sha256', digest.slice('sha256:'.length))
  type Index = { manifests: { digest: string; annotations?: Record<string, string> }[] }
  const index = JSON.parse(await readFile(join(layout, 'index.json'), 'utf8')) as Index
  const entry = index.manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === version)
  if (!entry) throw new Error(`no ${version} in the layout`)
  const manifest = JSON.parse(await readFile(blob(entry.digest), 'utf8')) as { layers: { digest: string }[] }
  return blob(manifest.layers[0]!.digest)
}
