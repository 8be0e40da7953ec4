import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createTestDatabase, query } from '@squizzle/testkit'
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest'
import { squizzle } from './support/cli-process.js'
import { createProject, type TestProject } from './support/project.js'

let project: TestProject
let url: string
const run = (...args: string[]) => squizzle(args, { cwd: project.dir, env: { DATABASE_URL: url } })
const json = <T = Record<string, unknown>>(stdout: string): T => JSON.parse(stdout) as T
const errorOf = (stdout: string) =>
  json<{ error: { code: string; message: string; details: Record<string, unknown> } }>(stdout).error
const stored = async () =>
  json<{ versions: { version: string }[] }>((await run('list', '--json')).stdout).versions.map((v) => v.version)

beforeEach(async () => {
  project = await createProject()
  url = await createTestDatabase(inject('postgresUrl'))
})
afterEach(async () => {
  await project.remove()
})

describe('squizzle build pairs each migration with its rollback file', () => {
  it('names the migration without a rollback file; with rollback.required: false in the config it builds', async () => {
    await project.add('migrations', '001_orders.sql', 'CREATE TABLE orders (id int, customer_id int);')
    await project.add(
      'migrations',
      '002_orders_customer.sql',
      'CREATE INDEX orders_customer_idx ON orders (customer_id);',
    )
    await project.add('rollback', '001_orders.sql', 'DROP TABLE orders;')
    const refused = await run('build', '1.0.0', '--json')
    expect(refused.code).toBe(1)
    const error = errorOf(refused.stdout)
    expect(error.code).toBe('ROLLBACK_MISSING')
    expect(error.details['missing']).toEqual([
      { migration: 'migrations/002_orders_customer.sql', rollback: 'rollback/002_orders_customer.sql' },
    ])
    const text = await run('build', '1.0.0')
    expect(text.stderr).toContain('migrations/002_orders_customer.sql')
    expect(text.stderr).not.toContain('migrations/001_orders.sql')
    expect(await stored()).toEqual([])

    await writeFile(
      join(project.dir, 'squizzle.config.yaml'),
      'storage: file:.squizzle/artifacts\nrollback:\n  required: false\n',
    )
    const built = await run('build', '1.0.0')
    expect(built.code).toBe(0)
    expect(built.stderr).toMatch(/warning no rollback file.*\(migrations\/002_orders_customer\.sql\)/)
    // Reversible: dropping the table takes its index with it, which the schema check confirms.
    expect((await run('apply')).code).toBe(0)
    expect(json((await run('rollback', '--yes', '--json')).stdout)).toMatchObject({
      rolledBack: ['1.0.0'],
      checks: [{ outcome: 'matched' }],
    })
  })

  it('builds a version without any rollback file as irreversible when the config says rollback files are not required', async () => {
    await writeFile(
      join(project.dir, 'squizzle.config.yaml'),
      'storage: file:.squizzle/artifacts\nrollback:\n  required: false\n',
    )
    await project.add('migrations', '001_a.sql', 'CREATE TABLE a (id int);')
    await project.add('migrations', '002_b.sql', 'CREATE TABLE b (id int);')
    const built = await run('build', '1.0.0', '--json')
    expect(built.code).toBe(0)
    expect(json(built.stdout)).toMatchObject({ irreversible: true })
    await run('apply')
    const r = await run('rollback', '--yes', '--json')
    expect(r.code).toBe(1)
    expect(errorOf(r.stdout).code).toBe('ROLLBACK_IRREVERSIBLE')
  })

  it('refuses a rollback file added later for a migration an earlier version released, naming the file and that version', async () => {
    // 1.0.0 ships a plain (not CONCURRENTLY) index migration without rollback SQL, on purpose.
    await project.add(
      'migrations',
      '001_orders.sql',
      'CREATE TABLE orders (id int, customer_id int);\nCREATE INDEX orders_customer_idx ON orders (customer_id);',
    )
    expect((await run('build', '1.0.0', '--irreversible')).code).toBe(0)
    // 1.1.0 brings its own migration and rollback, and a late rollback file for 1.0.0's migration.
    await project.add('rollback', '001_orders.sql', 'DROP INDEX orders_customer_idx;')
    await project.add('migrations', '002_notes.sql', 'CREATE TABLE notes (id int);')
    await project.add('rollback', '002_notes.sql', 'DROP TABLE notes;')
    const refused = await run('build', '1.1.0', '--json')
    expect(refused.code).toBe(1)
    const error = errorOf(refused.stdout)
    expect(error.code).toBe('ROLLBACK_LATE')
    expect(error.details['late']).toEqual([
      { path: 'rollback/001_orders.sql', migration: 'migrations/001_orders.sql', version: '1.0.0' },
    ])
    const text = await run('build', '1.1.0')
    expect(text.code).toBe(1)
    expect(text.stderr).toContain('rollback/001_orders.sql')
    expect(text.stderr).toContain('1.0.0')
    expect(await stored()).toEqual(['1.0.0'])
  })

  it('refuses a rollback file that pairs with no migration of its version', async () => {
    await project.add('migrations', '001_a.sql', 'CREATE TABLE a (id int);')
    await project.add('rollback', '001_a.sql', 'DROP TABLE a;')
    await project.add('rollback', 'down.sql', 'DROP TABLE a;')
    const refused = await run('build', '1.0.0', '--json')
    expect(refused.code).toBe(1)
    expect(errorOf(refused.stdout)).toMatchObject({
      code: 'ROLLBACK_ORPHANED',
      details: { orphans: [{ path: 'rollback/down.sql', matches: [] }] },
    })
  })

  it("runs each migration's rollback file in reverse migration order", async () => {
    await project.add('migrations', '2_users.sql', 'CREATE TABLE users (id int PRIMARY KEY);')
    await project.add('migrations', '10_orders.sql', 'CREATE TABLE orders (id int, user_id int REFERENCES users (id));')
    await project.add('rollback', '2_users.sql', 'DROP TABLE users;')
    // Would fail if it ran after users was dropped: natural order puts 10_ after 2_, so it runs first.
    await project.add(
      'rollback',
      '10_orders.sql',
      "DO $$ BEGIN IF to_regclass('public.users') IS NULL THEN RAISE EXCEPTION 'users dropped too early'; END IF; END $$;\nDROP TABLE orders;",
    )
    expect((await run('build', '1.0.0')).code).toBe(0)
    expect((await run('apply')).code).toBe(0)
    const r = await run('rollback', '--yes', '--json')
    expect(r.code).toBe(0)
    expect(json(r.stdout)).toMatchObject({
      current: null,
      checks: [{ version: '1.0.0', against: null, outcome: 'matched' }],
    })
    expect(await query(url, "SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'")).toEqual([{ n: 0 }])
  })
})
