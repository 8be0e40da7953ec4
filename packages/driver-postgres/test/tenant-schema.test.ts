import { isSquizzleError, Migrator, type DatabaseDriver } from '@squizzle/core'
import { createTestDatabase, query } from '@squizzle/testkit'
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest'
import { lockKey, PostgresDriver, readSchemaSnapshot, tenantScope } from '../src/index.js'
import { MemoryStorage } from './support/memory-storage.js'

let url: string
let storage: MemoryStorage
const open: PostgresDriver[] = []

async function connect(schema?: string): Promise<PostgresDriver> {
  const driver = new PostgresDriver({ url, ...(schema === undefined ? {} : { schema }) })
  await driver.connect()
  open.push(driver)
  return driver
}

const migrator = (driver: DatabaseDriver) =>
  new Migrator({ storage, driver, toolVersion: '0.0.0-test', lockTimeoutMs: 60_000 })

const schemas = async () =>
  (
    await query<{ nspname: string }>(
      url,
      `SELECT nspname FROM pg_namespace WHERE nspname !~ '^pg_' AND nspname <> 'information_schema' ORDER BY 1`,
    )
  ).map((r) => r.nspname)

const tables = async (schema: string) =>
  (await query<{ t: string }>(url, `SELECT tablename AS t FROM pg_tables WHERE schemaname = '${schema}' ORDER BY 1`))
    .map((r) => r.t)
    .join(',')

beforeEach(async () => {
  url = await createTestDatabase(inject('postgresUrl'))
  storage = new MemoryStorage()
})
afterEach(async () => {
  for (const d of open.splice(0)) await d.close()
})

describe('tenant schemas', () => {
  it('keeps each tenant in its own schema, with its own system schema and history', async () => {
    await storage.add('1.0.0', {
      'migrations/001_users.sql': 'CREATE TABLE users (id serial PRIMARY KEY, email text UNIQUE);',
      // A file that resets its session: the next file must still land in the tenant.
      'migrations/002_reset.sql': 'SET search_path TO public;\nSELECT 1;',
      'migrations/003_orders.sql': 'CREATE TABLE orders (id int REFERENCES users (id));',
    })
    for (const tenant of ['acme', 'globex']) await migrator(await connect(tenant)).apply()
    expect(await tables('acme')).toBe('orders,users')
    expect(await tables('globex')).toBe('orders,users')
    expect(await tables('squizzle_acme')).toContain('history')
    expect(await schemas()).toEqual(['acme', 'globex', 'public', 'squizzle_acme', 'squizzle_globex'])
    const history = await query(url, `SELECT version FROM squizzle_acme.history WHERE status = 'success'`)
    expect(history).toEqual([{ version: '1.0.0' }])
    const again = await migrator(await connect('acme')).apply()
    expect(again.applied).toEqual([])
  })

  it('runs no-transaction files in the tenant, also when a run resumes', async () => {
    await storage.add('1.0.0', {
      'migrations/001_t.sql':
        '-- squizzle:no-transaction\nCREATE TABLE t (id int);\nCREATE INDEX CONCURRENTLY t_id ON t (id);',
    })
    await migrator(await connect('acme')).apply()
    expect(await tables('acme')).toBe('t')
    expect(await tables('public')).toBe('')
  })

  it('resumes a failed no-transaction file in the tenant, on a new session', async () => {
    const file = '-- squizzle:no-transaction\nCREATE TABLE a (id int);\nCREATE TABLE b (id int REFERENCES parent (id));'
    await storage.add('1.0.0', { 'migrations/001_ab.sql': file })
    const failed = await migrator(await connect('acme'))
      .apply()
      .then(
        () => null,
        (e: unknown) => (isSquizzleError(e) ? e.code : String(e)),
      )
    expect(failed).not.toBeNull()
    await query(url, 'CREATE TABLE acme.parent (id int PRIMARY KEY)')
    // A fresh driver: statement 1 is not run again (it would fail: a exists), statement 2 finds acme.parent.
    await migrator(await connect('acme')).apply()
    expect(await tables('acme')).toBe('a,b,parent')
    expect(await tables('public')).toBe('')
  })

  it('gives each tenant its own lock: tenants apply at once, one tenant excludes a second run', async () => {
    const [acme, globex, acme2] = [await connect('acme'), await connect('globex'), await connect('acme')]
    expect(tenantScope('acme').lock).not.toEqual(lockKey)
    const held = await acme.lock({ timeoutMs: 1000 })
    try {
      const other = await globex.lock({ timeoutMs: 5000 })
      await other.release()
      const refused = await acme2.lock({ timeoutMs: 300 }).then(
        () => null,
        (e: unknown) => (isSquizzleError(e) ? e.code : String(e)),
      )
      expect(refused).toBe('LOCK_TIMEOUT')
      expect((await acme2.lockHolder())?.pid).toBeTypeOf('number')
      expect(await globex.lockHolder()).toBeNull()
    } finally {
      await held.release()
    }
  })

  it('snapshots a tenant as the replay into public would', async () => {
    const sql =
      'CREATE TABLE users (id serial PRIMARY KEY, email text);\n' +
      'CREATE TABLE orders (id int REFERENCES users (id));\nCREATE INDEX orders_id ON orders (id);\n' +
      'CREATE VIEW emails AS SELECT email FROM users;'
    await storage.add('1.0.0', { 'migrations/001.sql': sql })
    await migrator(await connect('acme')).apply()
    expect([await tables('acme'), await tables('public')]).toEqual(['orders,users', ''])
    const replayed = await createTestDatabase(inject('postgresUrl'))
    await query(replayed, sql)
    const tenant = await (await connect('acme')).snapshotSchema()
    const { postgres } = await import('../src/postgres-client.js')
    const client = postgres(replayed, { max: 1 })
    try {
      expect(tenant.objects).toEqual((await readSchemaSnapshot(client)).objects)
    } finally {
      await client.end()
    }
    expect(tenant.objects.some((o) => o.name === 'public.orders')).toBe(true)
  })

  it.each([
    ['a quote', 'acme"; DROP SCHEMA public; --'],
    ['a semicolon', 'acme;drop'],
    ['70 characters', 'a'.repeat(70)],
    ['upper case', 'Acme'],
    ['a pg_ prefix', 'pg_acme'],
    ['nothing', ''],
  ])('refuses a schema name with %s, creating nothing', async (_what, schema) => {
    const before = await schemas()
    let code: string | null = null
    try {
      await migrator(await connect(schema)).apply()
    } catch (e) {
      code = isSquizzleError(e) ? e.code : String(e)
    }
    expect(code).toBe('USAGE')
    expect(await schemas()).toEqual(before)
  })

  it('keeps the default as it was: schema squizzle and the database-wide lock', async () => {
    await storage.add('1.0.0', { 'migrations/001.sql': 'CREATE TABLE t (id int);' })
    await migrator(await connect()).apply()
    expect(await tables('public')).toBe('t')
    expect(await schemas()).toEqual(['public', 'squizzle'])
    expect(tenantScope(undefined)).toEqual({ tenant: null, system: 'squizzle', lock: lockKey })
  })
})
