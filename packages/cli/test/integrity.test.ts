import { readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { gunzipSync, gzipSync } from 'node:zlib'
import { createTestDatabase, query } from '@squizzle/testkit'
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest'
import { squizzle } from './support/cli-process.js'
import { createProject, type TestProject } from './support/project.js'

let project: TestProject
let url: string
const run = (...args: string[]) => squizzle(args, { cwd: project.dir, env: { DATABASE_URL: url } })
const blobs = () => join(project.dir, '.squizzle/artifacts/blobs/sha256')

beforeEach(async () => {
  project = await createProject()
  url = await createTestDatabase(inject('postgresUrl'))
  await project.add('migrations', '001_users.sql', 'CREATE TABLE users (id int);')
  expect((await run('build', '1.0.0', '--irreversible')).code).toBe(0)
})
afterEach(async () => {
  await project.remove()
})

/** The path of the bundle layer blob (the only gzip blob in the layout). */
async function bundleBlob(): Promise<string> {
  for (const name of await readdir(blobs())) {
    const bytes = await readFile(join(blobs(), name))
    if (bytes[0] === 0x1f && bytes[1] === 0x8b) return join(blobs(), name)
  }
  throw new Error('no bundle blob')
}

describe('integrity', () => {
  it('refuses a tampered bundle blob with exit 3 before any SQL runs, and audits the refusal', async () => {
    const blob = await bundleBlob()
    const tar = gunzipSync(await readFile(blob))
    const at = tar.indexOf('CREATE TABLE users')
    tar.write('DROP  TABLE users', at)
    await writeFile(blob, gzipSync(tar))
    const r = await run('apply', '--json')
    expect(r.code).toBe(3)
    expect((JSON.parse(r.stdout) as { error: { code: string } }).error.code).toBe('DIGEST_MISMATCH')
    expect(await query(url, "SELECT to_regclass('public.users') AS t")).toEqual([{ t: null }])
    expect(await query(url, 'SELECT count(*)::int AS n FROM squizzle.history')).toEqual([{ n: 0 }])
    expect(await query(url, 'SELECT operation, outcome, version FROM squizzle.audit')).toEqual([
      { operation: 'apply', outcome: 'refused', version: '1.0.0' },
    ])
    expect((await run('verify', '1.0.0')).code).toBe(3)
  })

  it('refuses a manifest whose checksum no longer matches (exit 3)', async () => {
    for (const name of await readdir(blobs())) {
      const text = (await readFile(join(blobs(), name))).toString('utf8')
      if (text.startsWith('{"checksum"')) {
        // Rewriting the config blob in place breaks its digest first: the layout refuses it.
        await writeFile(join(blobs(), name), text.replace('"transaction":true', '"transaction":false'))
      }
    }
    const r = await run('verify', '1.0.0', '--json')
    expect(r.code).toBe(3)
    expect(['DIGEST_MISMATCH', 'CHECKSUM_MISMATCH']).toContain(
      (JSON.parse(r.stdout) as { error: { code: string } }).error.code,
    )
  })

  it('verifies an intact version and reports that it matches what was applied', async () => {
    expect((await run('apply')).code).toBe(0)
    const r = await run('verify', '1.0.0', '--json')
    expect(r.code).toBe(0)
    // Two files verified: the SQL file and the schema snapshot recorded at build.
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, version: '1.0.0', files: 2, applied: true })
  })
})

describe('squizzle build', () => {
  it('refuses a version that is not greater than the latest', async () => {
    await project.add('migrations', '002_more.sql', 'CREATE TABLE more (id int);')
    const lower = await run('build', '0.9.0', '--irreversible', '--json')
    expect(lower.code).toBe(1)
    expect((JSON.parse(lower.stdout) as { error: { code: string } }).error.code).toBe('VERSION_NOT_GREATER')
    const same = await run('build', '1.0.0', '--irreversible', '--json')
    expect((JSON.parse(same.stdout) as { error: { code: string } }).error.code).toBe('VERSION_EXISTS')
  })

  it('refuses when a released file was modified, naming the file and the version', async () => {
    await project.add('migrations', '001_users.sql', 'CREATE TABLE users (id bigint);')
    await project.add('migrations', '002_more.sql', 'CREATE TABLE more (id int);')
    const r = await run('build', '1.1.0', '--irreversible')
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('001_users.sql')
    expect(r.stderr).toContain('1.0.0')
    expect(r.stderr).toContain('RELEASED_FILE_MODIFIED')
  })

  it('puts only the files added since the previous version into a new version', async () => {
    await project.add('migrations', '002_more.sql', 'CREATE TABLE more (id int);')
    const r = await run('build', '1.1.0', '--irreversible', '--json')
    expect(r.code).toBe(0)
    const doc = JSON.parse(r.stdout) as { previousVersion: string; files: { path: string }[]; digest: string }
    expect(doc.previousVersion).toBe('1.0.0')
    expect(doc.files.map((f) => f.path)).toEqual(['migrations/002_more.sql'])
    expect(doc.digest).toMatch(/^sha256:[0-9a-f]{64}$/)
  })

  it('refuses CREATE INDEX CONCURRENTLY without the no-transaction directive, naming statement and fix', async () => {
    await project.add('migrations', '002_idx.sql', 'CREATE INDEX CONCURRENTLY users_id_idx ON users (id);')
    const r = await run('build', '1.1.0', '--irreversible')
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('migrations/002_idx.sql:1')
    expect(r.stderr).toContain('CREATE INDEX CONCURRENTLY')
    expect(r.stderr).toContain('-- squizzle:no-transaction')
  })

  it('accepts spaces inside file names, as Diesel projects have them, and applies the file', async () => {
    await project.add('migrations', '002 add email notifications.sql', 'CREATE TABLE notifications (id int);')
    const r = await run('build', '1.1.0', '--irreversible', '--json')
    expect(r.code).toBe(0)
    expect((JSON.parse(r.stdout) as { files: { path: string }[] }).files.map((f) => f.path)).toEqual([
      'migrations/002 add email notifications.sql',
    ])
    expect((await run('apply')).code).toBe(0)
  })

  it('refuses with NOTHING_TO_BUILD when no file was added', async () => {
    const r = await run('build', '1.1.0', '--irreversible', '--json')
    expect((JSON.parse(r.stdout) as { error: { code: string } }).error.code).toBe('NOTHING_TO_BUILD')
  })
})
