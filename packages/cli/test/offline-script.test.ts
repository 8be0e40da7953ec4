import { spawn } from 'node:child_process'
import { readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createTestDatabase, query } from '@squizzle/testkit'
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest'
import { squizzle } from './support/cli-process.js'
import { createProject, type TestProject } from './support/project.js'

let project: TestProject
let url: string
let fresh: string
const run = (args: string[], databaseUrl = url) =>
  squizzle(args, { cwd: project.dir, env: { DATABASE_URL: databaseUrl } })
type Status = {
  current: string | null
  pending: unknown[]
  failed: unknown[]
  applied: { version: string; digest: string }[]
  drift: { status: string }
}

/** Runs a script with the real psql, as the script's header says to. */
function psql(
  file: string,
  databaseUrl: string,
  extra: string[] = [],
): Promise<{ code: number | null; output: string }> {
  const args = ['-X', '-q', '-v', 'ON_ERROR_STOP=1', ...extra, '-f', file, databaseUrl]
  const child = spawn('psql', args, { env: { PATH: process.env['PATH'] ?? '' } })
  let output = ''
  child.stdout.on('data', (d: Buffer) => (output += d.toString()))
  child.stderr.on('data', (d: Buffer) => (output += d.toString()))
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, output })))
}

beforeEach(async () => {
  project = await createProject()
  url = await createTestDatabase(inject('postgresUrl'))
  fresh = await createTestDatabase(inject('postgresUrl'))
  // Text that would break naive quoting: quotes, $$, backslashes, a psql :variable.
  await project.add(
    'migrations',
    '001_items.sql',
    "CREATE TABLE items (id int PRIMARY KEY, name text);\nCOMMENT ON TABLE items IS 'it''s $$ a \\ :ON_ERROR_STOP test';\n",
  )
  await project.add('rollback', '001_items.sql', 'DROP TABLE items;')
  expect((await run(['build', '1.0.0', '--notes', "first: it's $$"])).code).toBe(0)
  await project.add(
    'migrations',
    '002_price.sql',
    'ALTER TABLE items ADD COLUMN price int;\nCREATE FUNCTION price_of(i int) RETURNS int LANGUAGE sql AS $$ SELECT price FROM items WHERE id = i $$;',
  )
  await project.add('rollback', '002_price.sql', 'DROP FUNCTION price_of(int);\nALTER TABLE items DROP COLUMN price;')
  expect((await run(['build', '1.1.0'])).code).toBe(0)
  await project.add(
    'migrations',
    '003_index.sql',
    '-- squizzle:no-transaction\nCREATE INDEX CONCURRENTLY items_name_idx ON items (name);\nCREATE INDEX CONCURRENTLY items_price_idx ON items (price);\n',
  )
  await project.add('rollback', '003_index.sql', 'DROP INDEX items_price_idx;\nDROP INDEX items_name_idx;')
  await project.add('migrations', '004_notes.sql', 'CREATE TABLE notes (id int);')
  await project.add('rollback', '004_notes.sql', 'DROP TABLE notes;')
  expect((await run(['build', '1.2.0'])).code).toBe(0)
  await project.add('migrations', '005_more.sql', 'CREATE TABLE more (id int);')
  await project.add('rollback', '005_more.sql', 'DROP TABLE more;')
  expect((await run(['build', '1.3.0'])).code).toBe(0)
})
afterEach(() => project.remove())

describe('squizzle sql', () => {
  it('renders 1.0.0 → 1.2.0 (with a CONCURRENTLY file) that psql runs to leave the database as apply would', async () => {
    expect((await run(['apply', '1.0.0'])).code).toBe(0)
    const out = join(project.dir, 'upgrade.sql')
    const rendered = await run(['sql', '1.0.0', '1.2.0', '--out', out], 'postgres://nobody@127.0.0.1:1/none')
    expect(rendered.code, rendered.stderr).toBe(0)
    const script = await readFile(out, 'utf8')
    expect(script).toMatch(/^-- Squizzle offline script: 1\.0\.0 \(sha256:[0-9a-f]{64}\) → 1\.2\.0/)
    expect(script).toMatch(
      /--   1\.1\.0  sha256:[0-9a-f]{64}\n--   1\.2\.0  sha256:[0-9a-f]{64}  \(1 file outside a transaction\)/,
    )

    const first = await psql(out, url)
    expect(first.code, first.output).toBe(0)
    const status = JSON.parse((await run(['status', '--json'])).stdout) as Status
    expect(status).toMatchObject({ current: '1.2.0', failed: [], drift: { status: 'clean' } })
    expect(status.pending).toMatchObject([{ version: '1.3.0' }])
    expect((await run(['drift', '--check'])).code).toBe(0)
    expect(
      await query(
        url,
        "SELECT indexname FROM pg_indexes WHERE tablename = 'items' AND indexname LIKE 'items_%_idx' ORDER BY 1",
      ),
    ).toEqual([{ indexname: 'items_name_idx' }, { indexname: 'items_price_idx' }])
    expect(await query(url, "SELECT obj_description('items'::regclass) AS c")).toEqual([
      { c: "it's $$ a \\ :ON_ERROR_STOP test" },
    ])
    // The same rows apply writes: applied marks, kept rollback SQL, no progress left.
    expect(await query(url, 'SELECT version, state FROM squizzle.applied ORDER BY version')).toEqual([
      { version: '1.0.0', state: 'applied' },
      { version: '1.1.0', state: 'applied' },
      { version: '1.2.0', state: 'applied' },
    ])
    expect(await query(url, 'SELECT count(*)::int AS n FROM squizzle.progress')).toEqual([{ n: 0 }])
    expect(await query(url, "SELECT path FROM squizzle.rollback_script WHERE version = '1.2.0' ORDER BY path")).toEqual(
      [{ path: 'rollback/003_index.sql' }, { path: 'rollback/004_notes.sql' }, { path: 'schema/snapshot.json' }],
    )

    // Running it twice fails at the guard and changes nothing.
    const before = await query(url, 'SELECT count(*)::int AS n FROM squizzle.history')
    const second = await psql(out, url)
    expect(second.code).toBe(3)
    expect(second.output).toContain('this script upgrades a database at 1.0.0')
    expect(await query(url, 'SELECT count(*)::int AS n FROM squizzle.history')).toEqual(before)

    // Run as a DBA would type it, with -1 (--single-transaction): the same result on another database.
    expect((await run(['apply', '1.0.0'], fresh)).code).toBe(0)
    const single = await psql(out, fresh, ['-1'])
    expect(single.code, single.output).toBe(0)
    expect(JSON.parse((await run(['status', '--json'], fresh)).stdout) as Status).toMatchObject({
      current: '1.2.0',
      failed: [],
      drift: { status: 'clean' },
    })
    expect((await run(['drift', '--check'], fresh)).code).toBe(0)

    // apply goes on from there, and rollback works from what the script kept.
    expect((await run(['apply'])).code).toBe(0)
    expect((await run(['rollback', '--to', '1.1.0', '--yes'])).code).toBe(0)
    expect((JSON.parse((await run(['status', '--json'])).stdout) as Status).current).toBe('1.1.0')
  })

  it('from none, the script creates the system schema on an empty database; it refuses a database elsewhere', async () => {
    const out = join(project.dir, 'first.sql')
    expect((await run(['sql', '1.1.0', '--out', out])).code).toBe(0)
    const r = await psql(out, fresh)
    expect(r.code, r.output).toBe(0)
    const status = JSON.parse((await run(['status', '--json'], fresh)).stdout) as Status
    expect(status).toMatchObject({ current: '1.1.0', drift: { status: 'clean' } })
    // A database at 1.0.0 is not one with no version.
    expect((await run(['apply', '1.0.0'])).code).toBe(0)
    const refused = await psql(out, url)
    expect(refused.code).toBe(3)
    expect(await query(url, "SELECT count(*)::int AS n FROM squizzle.applied WHERE version = '1.1.0'")).toEqual([
      { n: 0 },
    ])
  })

  it('verifies every byte before rendering: a changed bundle renders nothing', async () => {
    // Flip a byte in every bundle layer (the gzip blobs): each version's digest no longer matches.
    const blobs = join(project.dir, '.squizzle/artifacts/blobs/sha256')
    for (const name of await readdir(blobs)) {
      const bytes = await readFile(join(blobs, name))
      if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) continue
      bytes[bytes.length - 10] = bytes[bytes.length - 10]! ^ 0xff
      await writeFile(join(blobs, name), bytes)
    }
    const r = await run(['sql', '1.0.0', '1.3.0'])
    expect(r.code).toBe(3)
    expect(r.stdout).not.toContain('BEGIN')
  })

  it('prints the script on stdout (escaped for a terminal), and the SQL in --json', async () => {
    const r = await run(['sql', '1.0.0', '1.1.0'])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('ALTER TABLE items ADD COLUMN price int;')
    const json = JSON.parse((await run(['sql', '1.0.0', '1.1.0', '--json'])).stdout) as {
      script: string
      versions: { version: string }[]
    }
    expect(json.versions.map((v) => v.version)).toEqual(['1.1.0'])
    expect(json.script).toContain('-- file migrations/002_price.sql')
    expect((await run(['sql', '1.2.0', '1.1.0'])).code).toBe(2)
  })
})
