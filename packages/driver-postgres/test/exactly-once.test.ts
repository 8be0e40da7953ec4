import { chmod, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  isSquizzleError,
  Migrator,
  type DatabaseDriver,
  type DriverTransaction,
  type MigrationLock,
} from '@squizzle/core'
import { createTestDatabase, query } from '@squizzle/testkit'
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest'
import { startEmbeddedPostgres } from '../src/embedded.js'
import { PostgresDriver } from '../src/index.js'
import { MemoryStorage } from './support/memory-storage.js'

let url: string
let storage: MemoryStorage
const open: PostgresDriver[] = []

async function connect(databaseUrl = url): Promise<PostgresDriver> {
  const driver = new PostgresDriver({ url: databaseUrl })
  await driver.connect()
  open.push(driver)
  return driver
}

/**
 * The real driver on the real database, with the advisory lock defeated: every
 * lock() "succeeds" and every proof passes. What is left is the database's own
 * guarantee, the unique row per applied version.
 */
function withDefeatedLock<T extends DatabaseDriver | DriverTransaction>(driver: T): T {
  const fakeLock: MigrationLock = { acquiredAt: new Date(), release: async () => {} }
  return new Proxy(driver, {
    get(target, prop) {
      if (prop === 'lock') return async () => fakeLock
      if (prop === 'assertLockHeld') return async () => {}
      if (prop === 'transaction' && 'transaction' in target) {
        return <R>(fn: (tx: DriverTransaction) => Promise<R>) => target.transaction((tx) => fn(withDefeatedLock(tx)))
      }
      const value = Reflect.get(target, prop, target) as unknown
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value
    },
  })
}

const migrator = (driver: DatabaseDriver) =>
  new Migrator({ storage, driver, toolVersion: '0.0.0-test', lockTimeoutMs: 30_000 })

async function codeOf(promise: Promise<unknown>): Promise<string | null> {
  return promise.then(
    () => null,
    (e: unknown) => (isSquizzleError(e) ? e.code : `not a SquizzleError: ${String(e)}`),
  )
}

async function waitFor(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 50))
  }
}

const sleeping = (url: string) => async () => {
  const rows = await query(
    url,
    `SELECT 1 FROM pg_stat_activity
    WHERE datname = current_database() AND query LIKE '%pg_sleep(%' AND state = 'active' AND pid <> pg_backend_pid()`,
  )
  return rows.length > 0
}

const terminateLockSession = (url: string) =>
  query(
    url,
    `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
    WHERE application_name = 'squizzle (lock)' AND datname = current_database()`,
  )

const successes = async (databaseUrl = url) => {
  const [row] = await query<{ n: number }>(
    databaseUrl,
    `SELECT count(*)::int AS n FROM squizzle.history
    WHERE status = 'success' AND version = '1.0.0'`,
  )
  return row!.n
}

const noTransaction = '-- squizzle:no-transaction\n'

beforeEach(async () => {
  url = await createTestDatabase(inject('postgresUrl'))
  storage = new MemoryStorage()
  await query(url, 'CREATE TABLE runs (id int)')
})
afterEach(async () => {
  for (const d of open.splice(0)) await d.close()
})

describe('exactly once without the lock', () => {
  it.each([
    ['in one transaction', 'INSERT INTO runs VALUES (1);\nSELECT pg_sleep(1.5);\n'],
    ['outside any transaction (claimed first)', `${noTransaction}INSERT INTO runs VALUES (1);\nSELECT pg_sleep(1.5);`],
  ])('commits a version once when two runs get past a defeated lock (%s)', async (_name, sql) => {
    await storage.add('1.0.0', { 'migrations/001_once.sql': sql })
    const [a, b] = [withDefeatedLock(await connect()), withDefeatedLock(await connect())]
    await a.records.ensureSchema()
    const codes = await Promise.all([codeOf(migrator(a).apply()), codeOf(migrator(b).apply())])
    expect(codes.sort()).toEqual(['VERSION_CLAIMED', null].sort())
    expect(await query(url, 'SELECT id FROM runs')).toEqual([{ id: 1 }])
    expect(await successes()).toBe(1)
    const marks = await query(url, 'SELECT version, state FROM squizzle.applied')
    expect(marks).toEqual([{ version: '1.0.0', state: 'applied' }])
    // The run that lost the race left nothing to repair.
    expect((await migrator(a).status()).failed).toEqual([])
  })
})

describe('a lock whose session ends while a version runs', () => {
  it('fails with LOCK_LOST before COMMIT and commits nothing of the version', async () => {
    await storage.add('1.0.0', { 'migrations/001_slow.sql': 'INSERT INTO runs VALUES (1);\nSELECT pg_sleep(1.5);\n' })
    const applying = codeOf(migrator(await connect()).apply())
    await waitFor(sleeping(url))
    await terminateLockSession(url)
    expect(await applying).toBe('LOCK_LOST')
    expect(await query(url, 'SELECT id FROM runs')).toEqual([])
    expect(await query(url, 'SELECT count(*)::int AS n FROM squizzle.applied')).toEqual([{ n: 0 }])
    const history = await query(url, 'SELECT status, error_code FROM squizzle.history')
    expect(history).toEqual([{ status: 'failed', error_code: 'LOCK_LOST' }])
    await migrator(await connect()).apply()
    expect(await query(url, 'SELECT id FROM runs')).toEqual([{ id: 1 }])
  })

  it('stops a no-transaction file before its next statement, resumable there', async () => {
    const sql = `${noTransaction}INSERT INTO runs VALUES (1);\nSELECT pg_sleep(1.5);\nINSERT INTO runs VALUES (3);\n`
    await storage.add('1.0.0', { 'migrations/001_steps.sql': sql })
    const applying = migrator(await connect())
      .apply()
      .catch((e: unknown) => e)
    await waitFor(sleeping(url))
    await terminateLockSession(url)
    const err = await applying
    expect(isSquizzleError(err) && err.code).toBe('LOCK_LOST')
    const where = { path: 'migrations/001_steps.sql', statement: 3, line: 4, committed: 'partial' }
    expect(isSquizzleError(err) && err.details).toMatchObject(where)
    expect(await query(url, 'SELECT id FROM runs')).toEqual([{ id: 1 }])
    // The claim was given up: a new run takes the version and resumes at statement 3.
    await migrator(await connect()).apply()
    expect(await query(url, 'SELECT id FROM runs ORDER BY id')).toEqual([{ id: 1 }, { id: 3 }])
    expect(await successes()).toBe(1)
  })
})

describe('a server restart in the middle of a file', () => {
  it('is a typed CONNECTION_LOST in bounded time, and the same driver works once the server is back', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'squizzle-restart-'))
    await chmod(dir, 0o755) // as root, the server runs as user postgres
    const server = await startEmbeddedPostgres({ dataDir: join(dir, 'data') })
    let restarted: Awaited<ReturnType<typeof startEmbeddedPostgres>> | undefined
    try {
      const restartUrl = await createTestDatabase(server.url)
      await query(restartUrl, 'CREATE TABLE runs (id int)')
      await storage.add('1.0.0', { 'migrations/001_slow.sql': 'INSERT INTO runs VALUES (1);\nSELECT pg_sleep(30);\n' })
      const driver = await connect(restartUrl)
      const started = Date.now()
      const applying = migrator(driver)
        .apply()
        .catch((e: unknown) => e)
      await waitFor(sleeping(restartUrl))
      await server.stop()
      const err = await applying
      expect(isSquizzleError(err) && err.code).toBe('CONNECTION_LOST')
      expect(isSquizzleError(err) && err.details).toMatchObject({ version: '1.0.0', committed: 'nothing' })
      // The failed row cannot be written while the server is down: said, not thrown.
      expect(isSquizzleError(err) && typeof err.details?.['recordError']).toBe('string')
      expect(Date.now() - started).toBeLessThan(25_000)
      // The same data directory keeps the cluster, its password and the database.
      restarted = await startEmbeddedPostgres({ dataDir: join(dir, 'data'), port: server.port })
      // Nothing of the version was recorded, so a quicker build of it can stand in.
      await storage.add('1.0.0', { 'migrations/001_slow.sql': 'INSERT INTO runs VALUES (1);\n' })
      await migrator(driver).apply()
      expect(await query(restartUrl, 'SELECT id FROM runs')).toEqual([{ id: 1 }])
    } finally {
      await (restarted ?? server).stop().catch(() => undefined)
      await rm(dir, { recursive: true, force: true })
    }
  }, 90_000)
})
