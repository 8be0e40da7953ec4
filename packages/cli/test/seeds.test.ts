import { readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { gunzipSync, gzipSync } from 'node:zlib'
import { createTestDatabase, query } from '@squizzle/testkit'
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest'
import { squizzle } from './support/cli-process.js'
import { createProject, type TestProject } from './support/project.js'

// Seed files ship inside every immutable bundle; `seeds: false` in an environment keeps
// them from running there, visibly (event, history, status), while every byte is still verified.

let project: TestProject
const run = (url: string | null, ...args: string[]) =>
  squizzle(args, { cwd: project.dir, env: url === null ? {} : { DATABASE_URL: url } })
const json = <T>(stdout: string) => JSON.parse(stdout) as T
const seedPath = 'seed/001_demo_products.sql'
const hasTable = async (url: string, table: string) =>
  (await query<{ t: string | null }>(url, `SELECT to_regclass('public.${table}') AS t`))[0]?.t !== null

beforeEach(async () => {
  project = await createProject(
    [
      'storage: file:.squizzle/artifacts',
      'environments:',
      '  production:',
      '    seeds: false',
      '  staging:',
      '    seeds: true',
      '',
    ].join('\n'),
  )
  await project.add('migrations', '001_products.sql', 'CREATE TABLE products (id int PRIMARY KEY, name text);')
  await project.add(
    'seed',
    '001_demo_products.sql',
    "CREATE TABLE demo_marker (id int);\nINSERT INTO products VALUES (1, 'demo');",
  )
  expect((await run(null, 'build', '1.0.0', '--irreversible')).code).toBe(0)
})
afterEach(async () => {
  await project.remove()
})

describe('seeds per environment', () => {
  it('skips seed files where seeds are off: announced, recorded in history, shown by status', async () => {
    const url = await createTestDatabase(inject('postgresUrl'))
    const r = await run(url, 'apply', '--env', 'production', '--json')
    expect(r.code, r.stdout).toBe(0)
    const { events } = json<{ events: { type: string; version?: string; files?: string[] }[] }>(r.stdout)
    expect(events).toContainEqual({ type: 'seeds.skipped', version: '1.0.0', files: [seedPath] })
    expect(await hasTable(url, 'products')).toBe(true)
    expect(await hasTable(url, 'demo_marker')).toBe(false)
    expect(await query(url, 'SELECT count(*)::int AS n FROM products')).toEqual([{ n: 0 }])
    expect(await query(url, "SELECT version, skipped_files FROM squizzle.history WHERE operation = 'apply'")).toEqual([
      { version: '1.0.0', skipped_files: [seedPath] },
    ])
    expect(
      await query(url, "SELECT details->'skippedSeeds' AS s FROM squizzle.audit WHERE outcome = 'success'"),
    ).toEqual([{ s: [seedPath] }])

    const status = await run(url, 'status', '--env', 'production', '--json')
    expect(json<{ applied: { version: string; skippedFiles: string[] }[] }>(status.stdout).applied).toEqual([
      expect.objectContaining({ version: '1.0.0', skippedFiles: [seedPath] }),
    ])
    const human = await run(url, 'status', '--env', 'production')
    expect(human.stdout).toContain(`seeds skipped: ${seedPath}`)
    const humanApply = await run(url, 'apply', '--env', 'production')
    expect(humanApply.code).toBe(0)
  })

  it('runs seed files where seeds are on (and by default)', async () => {
    for (const env of [['--env', 'staging'], []]) {
      const url = await createTestDatabase(inject('postgresUrl'))
      const r = await run(url, 'apply', ...env, '--json')
      expect(r.code, r.stdout).toBe(0)
      expect(json<{ events: { type: string }[] }>(r.stdout).events.map((e) => e.type)).not.toContain('seeds.skipped')
      expect(await hasTable(url, 'demo_marker')).toBe(true)
      expect(await query(url, 'SELECT name FROM products')).toEqual([{ name: 'demo' }])
      expect(await query(url, "SELECT skipped_files FROM squizzle.history WHERE operation = 'apply'")).toEqual([
        { skipped_files: [] },
      ])
    }
  })

  it('shows skipped seeds in the dry run, without their SQL', async () => {
    const url = await createTestDatabase(inject('postgresUrl'))
    const r = await run(url, 'apply', '--env', 'production', '--dry-run')
    expect(r.code).toBe(0)
    expect(r.stdout).toContain(`${seedPath}: not run`)
    expect(r.stdout).not.toContain('INSERT INTO products')
    expect(r.stdout).toContain('CREATE TABLE products')
  })

  it('still verifies seed bytes where seeds are off: a changed seed is refused (exit 3), nothing runs', async () => {
    const blobs = join(project.dir, '.squizzle/artifacts/blobs/sha256')
    for (const name of await readdir(blobs)) {
      const bytes = await readFile(join(blobs, name))
      if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) continue
      const tar = gunzipSync(bytes)
      tar.write('DROP TABLE products;  ', tar.indexOf("INSERT INTO products VALUES (1, 'demo')"))
      await writeFile(join(blobs, name), gzipSync(tar))
    }
    const url = await createTestDatabase(inject('postgresUrl'))
    const r = await run(url, 'apply', '--env', 'production', '--json')
    expect(r.code).toBe(3)
    expect(await hasTable(url, 'products')).toBe(false)
  })
})
