import { isSquizzleError, Migrator, type SquizzleEvent } from '@squizzle/core'
import { makeTestVersion } from '@squizzle/core/testing'
import { createTestDatabase, query } from '@squizzle/testkit'
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest'
import { PostgresDriver } from '../src/index.js'
import { MemoryStorage } from './support/memory-storage.js'

let url: string
let driver: PostgresDriver
let storage: MemoryStorage
const events: SquizzleEvent[] = []
// keepVerifiedBytes 0: versions are streamed from the bundle twice, the path large versions take.
const migrator = () =>
  new Migrator({ storage, driver, toolVersion: '0.0.0-test', keepVerifiedBytes: 0, events: (e) => events.push(e) })

beforeEach(async () => {
  url = await createTestDatabase(inject('postgresUrl'))
  driver = new PostgresDriver({ url })
  await driver.connect()
  storage = new MemoryStorage()
  events.length = 0
})
afterEach(async () => {
  await driver.close()
})

describe('Migrator.rollback on PostgreSQL', () => {
  it('keeps the rollback SQL of a streamed version at apply time and rolls back with storage unreachable', async () => {
    const v1 = await makeTestVersion('1.0.0', {
      'migrations/001_a.sql': 'CREATE TABLE a (id int);',
      'rollback/001_a.sql': 'DROP TABLE a;',
    })
    await storage.push(v1)
    const v2 = await makeTestVersion(
      '1.1.0',
      {
        'migrations/002_b.sql': 'CREATE TABLE b (id int);',
        'migrations/003_c.sql': '-- squizzle:no-transaction\nCREATE TABLE c (id int);',
        'rollback/002_b.sql': 'DROP TABLE b;',
        'rollback/003_c.sql': '-- squizzle:no-transaction\nDROP TABLE c;',
      },
      { previousVersion: '1.0.0' },
    )
    await storage.push(v2)
    await migrator().apply()
    // The first version on the database also keeps the schema from before it: what its rollback must return to.
    expect(await query(url, 'SELECT version, path FROM squizzle.rollback_script ORDER BY path')).toEqual([
      { version: '1.0.0', path: 'rollback/001_a.sql' },
      { version: '1.1.0', path: 'rollback/002_b.sql' },
      { version: '1.1.0', path: 'rollback/003_c.sql' },
      { version: '1.0.0', path: 'schema/before.json' },
    ])

    storage.reachable = false
    const dry = await migrator().rollback({ to: '0.0.0', dryRun: true })
    expect(
      dry.versions.map((v) => [v.version, v.segments.map((s) => [s.transactional, s.files.map((f) => f.path)])]),
    ).toEqual([
      [
        '1.1.0',
        [
          [false, ['rollback/003_c.sql']],
          [true, ['rollback/002_b.sql']],
        ],
      ],
      ['1.0.0', [[true, ['rollback/001_a.sql']]]],
    ])
    const result = await migrator().rollback({ to: '0.0.0' })
    expect(result).toMatchObject({ dryRun: false, rolledBack: ['1.1.0', '1.0.0'], current: null })
    // 1.0.0 was built without a snapshot: 1.1.0's rollback cannot be checked, and says so.
    expect(result.checks).toMatchObject([
      { version: '1.1.0', against: '1.0.0', outcome: 'unchecked' },
      { version: '1.0.0', against: null, outcome: 'matched' },
    ])
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'warning', code: 'ROLLBACK_UNCHECKED', version: '1.1.0' }),
    )
    expect(await query(url, "SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'")).toEqual([{ n: 0 }])
    expect(events.filter((e) => e.type === 'rollback.done').map((e) => (e as { version: string }).version)).toEqual([
      '1.1.0',
      '1.0.0',
    ])

    storage.reachable = true
    expect((await migrator().apply()).applied).toEqual(['1.0.0', '1.1.0'])
    expect((await migrator().status()).current).toBe('1.1.0')
  })

  it("runs each migration's rollback file in reverse migration order: hand-written migrations before drizzle's", async () => {
    // drizzle/ runs before migrations/, so its rollback runs after theirs, whatever the numbers in the names.
    await storage.push(
      await makeTestVersion('1.0.0', {
        'drizzle/0005_users.sql': 'CREATE TABLE users (id int PRIMARY KEY);',
        'migrations/001_orders.sql': 'CREATE TABLE orders (id int, user_id int REFERENCES users (id));',
        'rollback/0005_users.sql': 'DROP TABLE users;',
        'rollback/001_orders.sql': 'DROP TABLE orders;',
      }),
    )
    await migrator().apply()
    const result = await migrator().rollback()
    expect(result.versions[0]!.segments[0]!.files.map((f) => f.path)).toEqual([
      'rollback/001_orders.sql',
      'rollback/0005_users.sql',
    ])
    expect(result.checks).toMatchObject([{ version: '1.0.0', against: null, outcome: 'matched' }])
    expect(await query(url, "SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'")).toEqual([{ n: 0 }])
  })

  it('refuses a version without rollback SQL before running anything, even the versions above it', async () => {
    await storage.push(await makeTestVersion('1.0.0', { 'migrations/001_a.sql': 'CREATE TABLE a (id int);' }))
    await storage.push(
      await makeTestVersion(
        '1.1.0',
        { 'migrations/002_b.sql': 'CREATE TABLE b (id int);', 'rollback/002_b.sql': 'DROP TABLE b;' },
        { previousVersion: '1.0.0' },
      ),
    )
    await migrator().apply()
    const err = await migrator()
      .rollback({ to: '0.0.0' })
      .catch((e: unknown) => e)
    expect(isSquizzleError(err) && err.code).toBe('ROLLBACK_UNAVAILABLE')
    expect(await query(url, "SELECT to_regclass('public.b')::text AS t")).toEqual([{ t: 'b' }])
  })
})
