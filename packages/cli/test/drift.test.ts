import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { createFilesystemStorage } from '@squizzle/storage-filesystem'
import { createTestDatabase, query } from '@squizzle/testkit'
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest'
import { squizzle } from './support/cli-process.js'
import { createProject, type TestProject } from './support/project.js'

let project: TestProject
let env: Record<string, string>
const run = (...args: string[]) => squizzle(args, { cwd: project.dir, env })
const json = <T = Record<string, unknown>>(stdout: string): T => JSON.parse(stdout) as T

interface Difference {
  change: string
  kind: string
  name: string
}

beforeEach(async () => {
  project = await createProject()
  env = { DATABASE_URL: await createTestDatabase(inject('postgresUrl')) }
})
afterEach(async () => {
  await project.remove()
})

/** Two versions: users, then an email index and an orders table. */
async function buildTwoVersions(...flags: string[]): Promise<void> {
  await project.add(
    'migrations',
    '001_users.sql',
    'CREATE TABLE users (id int PRIMARY KEY, email varchar(100) NOT NULL);',
  )
  expect((await run('build', '1.0.0', '--irreversible', ...flags)).code).toBe(0)
  await project.add(
    'migrations',
    '002_orders.sql',
    'CREATE INDEX users_email_idx ON users (email);\nCREATE TABLE orders (id int, user_id int REFERENCES users (id));',
  )
  expect((await run('build', '1.1.0', '--irreversible', ...flags)).code).toBe(0)
}

describe('schema snapshots at build', () => {
  it('stores schema/snapshot.json in the bundle, listed in the manifest with its SHA-256', async () => {
    await project.add('migrations', '001_users.sql', 'CREATE TABLE users (id int);')
    const r = await run('build', '1.0.0', '--irreversible', '--json')
    expect(r.code).toBe(0)
    const built = json<{ files: { path: string }[]; snapshot: { path: string; sha256: string } }>(r.stdout)
    expect(built.files.map((f) => f.path)).toEqual(['migrations/001_users.sql'])
    expect(built.snapshot).toMatchObject({
      path: 'schema/snapshot.json',
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    })
    const verified = json<{ files: number }>((await run('verify', '1.0.0', '--json')).stdout)
    expect(verified.files).toBe(2)
  })

  it('replays on an embedded server the CLI starts itself when no development server is given', async () => {
    await project.add('migrations', '001_users.sql', 'CREATE TABLE users (id int);')
    const r = await squizzle(['build', '1.0.0', '--irreversible', '--verbose'], {
      cwd: project.dir,
      env: { ...env, SQUIZZLE_DEV_URL: '' },
    })
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/on an embedded PostgreSQL server/)
    expect(r.stdout).toMatch(/schema snapshot: \d+ objects after replaying 1 version/)
  })

  it('refuses a version whose SQL fails on an empty database (REPLAY_FAILED) and stores nothing', async () => {
    await project.add('migrations', '001_bad.sql', 'ALTER TABLE missing ADD COLUMN x int;')
    const r = await run('build', '1.0.0', '--irreversible', '--json')
    expect(r.code).toBe(1)
    expect(json<{ error: { code: string } }>(r.stdout).error.code).toBe('REPLAY_FAILED')
    expect(await createFilesystemStorage(join(project.dir, '.squizzle/artifacts')).list()).toEqual([])
    expect((await run('build', '1.0.0', '--irreversible', '--no-snapshot')).code).toBe(0)
  })

  it('never prints the password of the development server', async () => {
    const dev = new URL(inject('postgresUrl'))
    await project.add('migrations', '001_bad.sql', 'ALTER TABLE missing ADD COLUMN x int;')
    for (const args of [
      ['--dev-url', dev.toString()],
      ['--dev-url', dev.toString(), '--json', '--verbose'],
    ]) {
      const r = await run('build', '1.0.0', '--irreversible', ...args)
      expect(r.code).toBe(1)
      expect(r.stdout + r.stderr).not.toContain(dev.password)
    }
  })
})

describe('squizzle drift and status', () => {
  it('finds no drift right after apply', async () => {
    await buildTwoVersions()
    expect((await run('apply')).code).toBe(0)
    const drift = await run('drift', '--check')
    expect(drift.code).toBe(0)
    expect(drift.stdout).toContain('no drift')
    const status = json<{ drift: { status: string; version: string } }>(
      (await run('status', '--json', '--check')).stdout,
    )
    expect(status.drift).toMatchObject({ status: 'clean', version: '1.1.0' })
  })

  it('lists each manual change and exits 3 with --check', async () => {
    await buildTwoVersions()
    expect((await run('apply')).code).toBe(0)
    await query(
      env['DATABASE_URL']!,
      'ALTER TABLE users ADD COLUMN nickname text; DROP INDEX users_email_idx; ALTER TABLE users ALTER COLUMN email TYPE text',
    )
    const r = await run('drift', '--check', '--json')
    expect(r.code).toBe(3)
    const report = json<{
      status: string
      differences: (Difference & { properties?: { property: string; from: unknown; to: unknown }[] })[]
    }>(r.stdout)
    expect(report.status).toBe('drift')
    expect(report.differences.map((d) => [d.change, d.kind, d.name])).toEqual([
      ['changed', 'column', 'public.users.email'],
      ['added', 'column', 'public.users.nickname'],
      ['removed', 'index', 'public.users_email_idx'],
    ])
    expect(report.differences[0]!.properties).toEqual([
      { property: 'type', from: 'character varying(100)', to: 'text' },
    ])
    const text = await run('drift')
    expect(text.code).toBe(0)
    expect(text.stdout).toMatch(/\+ column public\.users\.nickname/)
    expect(text.stdout).toMatch(/type: character varying\(100\) → text/)
    expect((await run('status')).code).toBe(0)
    const status = await run('status', '--check')
    expect(status.code).toBe(3)
    expect(status.stdout).toMatch(/Drift\s+3 differences from 1\.1\.0's schema/)
  })

  it('refuses to trust a snapshot from a version re-pointed in storage (TAMPERED, exit 3); status reports drift unknown', async () => {
    await project.add('migrations', '001_users.sql', 'CREATE TABLE users (id int);')
    expect((await run('build', '1.0.0', '--irreversible')).code).toBe(0)
    expect((await run('apply')).code).toBe(0)
    // Someone rebuilds 1.0.0 elsewhere (without this project's ledger) with other SQL and replaces the storage.
    await rm(join(project.dir, '.squizzle'), { recursive: true, force: true })
    await rm(join(project.dir, 'db', 'squizzle.sum'))
    await project.add('migrations', '001_users.sql', 'CREATE TABLE users (id int, hidden text);')
    expect((await run('build', '1.0.0', '--irreversible')).code).toBe(0)
    const r = await run('drift', '--json')
    expect(r.code).toBe(3)
    expect(json<{ error: { code: string } }>(r.stdout).error.code).toBe('TAMPERED')
    const status = await run('status', '--json')
    expect(status.code).toBe(3)
    expect(json<{ drift: { status: string; code: string } }>(status.stdout).drift).toMatchObject({
      status: 'unavailable',
      code: 'TAMPERED',
    })
  })

  it('compares with the version the database is at, not the latest one built', async () => {
    await buildTwoVersions()
    expect((await run('apply', '1.0.0')).code).toBe(0)
    expect((await run('drift', '--check')).code).toBe(0)
  })

  it('says drift cannot be checked for a version built without a snapshot (exit 1 with --check)', async () => {
    await project.add('migrations', '001_users.sql', 'CREATE TABLE users (id int);')
    expect((await run('build', '1.0.0', '--irreversible', '--no-snapshot')).code).toBe(0)
    expect((await run('apply')).code).toBe(0)
    const r = await run('drift', '--json')
    expect(r.code).toBe(0)
    expect(json<{ status: string }>(r.stdout).status).toBe('no-snapshot')
    expect((await run('drift', '--check')).code).toBe(1)
  })
})

describe('squizzle diff', () => {
  it('lists the files each version added and the schema difference between two versions', async () => {
    await buildTwoVersions()
    const r = await run('diff', '1.0.0', '1.1.0', '--json')
    expect(r.code).toBe(0)
    const diff = json<{ versions: { version: string; files: { path: string }[] }[]; schema: Difference[] }>(r.stdout)
    expect(diff.versions.map((v) => [v.version, v.files.map((f) => f.path)])).toEqual([
      ['1.1.0', ['migrations/002_orders.sql']],
    ])
    expect(diff.schema.map((d) => `${d.change} ${d.kind} ${d.name}`)).toEqual([
      'added table public.orders',
      'added column public.orders.id',
      'added column public.orders.user_id',
      'added constraint public.orders.orders_user_id_fkey',
      'added index public.users_email_idx',
    ])
    const text = await run('diff', '1.0.0', '1.1.0')
    expect(text.stdout).toMatch(/\+ migrations\/002_orders\.sql/)
    expect(text.stdout).toMatch(/Schema 1\.0\.0 → 1\.1\.0: 5 differences/)
  })

  it('refuses versions in the wrong order (exit 2) and unknown versions (exit 1)', async () => {
    await buildTwoVersions('--no-snapshot')
    expect((await run('diff', '1.1.0', '1.0.0')).code).toBe(2)
    expect((await run('diff', '1.0.0', '9.0.0')).code).toBe(1)
    const r = await run('diff', '1.0.0', '1.1.0', '--json')
    expect(json<{ schema: unknown; missingSnapshots: string[] }>(r.stdout)).toMatchObject({
      schema: null,
      missingSnapshots: ['1.0.0', '1.1.0'],
    })
  })
})

describe('noTransaction in the config', () => {
  it('lets a file with CREATE INDEX CONCURRENTLY run outside a transaction without editing its bytes', async () => {
    const declared = await createProject(
      'storage: file:.squizzle/artifacts\nnoTransaction:\n  - migrations/002_idx.sql\n',
    )
    try {
      await declared.add('migrations', '001_t.sql', 'CREATE TABLE t (id int);')
      await declared.add('migrations', '002_idx.sql', 'CREATE INDEX CONCURRENTLY t_id_idx ON t (id);')
      const r = await squizzle(['build', '1.0.0', '--irreversible', '--json'], { cwd: declared.dir, env })
      expect(r.code).toBe(0)
      expect(json<{ files: { path: string; transaction: boolean }[] }>(r.stdout).files[1]).toMatchObject({
        path: 'migrations/002_idx.sql',
        transaction: false,
      })
      expect((await squizzle(['apply'], { cwd: declared.dir, env })).code).toBe(0)
      expect(await query(env['DATABASE_URL']!, "SELECT indexname FROM pg_indexes WHERE tablename = 't'")).toEqual([
        { indexname: 't_id_idx' },
      ])
    } finally {
      await declared.remove()
    }
  })

  it('still refuses the file when it is not declared (SQL_NEEDS_NO_TRANSACTION), and a declared path that does not exist (exit 2)', async () => {
    await project.add('migrations', '001_idx.sql', 'CREATE INDEX CONCURRENTLY t_id_idx ON t (id);')
    expect(
      json<{ error: { code: string } }>((await run('build', '1.0.0', '--irreversible', '--json')).stdout).error.code,
    ).toBe('SQL_NEEDS_NO_TRANSACTION')
    const typo = await createProject('storage: file:.squizzle/artifacts\nnoTransaction: [migrations/01_idx.sql]\n')
    try {
      await typo.add('migrations', '001_idx.sql', 'SELECT 1;')
      const r = await squizzle(['build', '1.0.0', '--irreversible', '--json'], { cwd: typo.dir, env })
      expect(r.code).toBe(2)
      expect(json<{ error: { code: string } }>(r.stdout).error.code).toBe('CONFIG_INVALID')
    } finally {
      await typo.remove()
    }
  })
})
