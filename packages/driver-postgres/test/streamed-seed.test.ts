import { Readable } from 'node:stream'
import { isSquizzleError, Migrator, type SquizzleEvent } from '@squizzle/core'
import { makeTestVersion } from '@squizzle/core/testing'
import { createTestDatabase, query } from '@squizzle/testkit'
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest'
import { PostgresDriver } from '../src/index.js'
import { MemoryStorage } from './support/memory-storage.js'

/** Rows per INSERT and the number of INSERTs: about 9.5 MB, above the 8 MiB from which a file streams. */
const perInsert = 100
const inserts = 400
const label = `ü;€ $$ ''q'' ${'x'.repeat(200)}`

/** The seed: a setting the later pieces rely on, then many INSERTs; `broken` makes the last one fail. */
function seed(broken = false): string {
  const lines = ['SET search_path = app;']
  for (let s = 0; s < inserts; s++) {
    const rows = Array.from({ length: perInsert }, (_, r) => `(${s * perInsert + r + 1}, '${label}')`)
    lines.push(`INSERT INTO ${broken && s === inserts - 1 ? 'missing_rows' : 'rows'} VALUES\n  ${rows.join(',\n  ')};`)
  }
  return `${lines.join('\n')}\n`
}

const files = (seedSql: string) => ({
  'migrations/001_app.sql': 'CREATE SCHEMA app;\nCREATE TABLE app.rows (id int PRIMARY KEY, label text NOT NULL);\n',
  'seed/001_rows.sql': seedSql,
})

/** Serves the stored bundle to the first `honest` opens, then `other` (a store whose bytes change). */
class ChangingStorage extends MemoryStorage {
  opens = 0
  constructor(
    private readonly honest: number,
    private readonly other: Uint8Array,
  ) {
    super()
  }
  override async pull(version: string) {
    const pulled = await super.pull(version)
    const open = () => (++this.opens > this.honest ? Readable.from([Buffer.from(this.other)]) : pulled.open())
    return { ...pulled, open }
  }
}

let url: string
let driver: PostgresDriver
const events: SquizzleEvent[] = []

beforeEach(async () => {
  url = await createTestDatabase(inject('postgresUrl'))
  driver = new PostgresDriver({ url })
  await driver.connect()
  events.length = 0
})

afterEach(async () => {
  await driver.close()
})

const migrator = (storage: MemoryStorage) =>
  new Migrator({ storage, driver, toolVersion: '0.0.0-test', events: (e) => events.push(e) })

describe('a seed above 8 MiB', () => {
  it('runs piece by piece on one session, with every row and its progress', async () => {
    const storage = new MemoryStorage()
    await storage.add('1.0.0', files(seed()))
    await migrator(storage).apply()
    const [row] = await query<{ n: string; sum: string; labels: string }>(
      url,
      'SELECT count(*) AS n, sum(id) AS sum, count(DISTINCT label) AS labels FROM app.rows',
    )
    const n = perInsert * inserts
    expect(row).toEqual({ n: String(n), sum: String((n * (n + 1)) / 2), labels: '1' })
    expect((await query<{ label: string }>(url, 'SELECT label FROM app.rows LIMIT 1'))[0]!.label).toBe(
      label.replaceAll("''", "'"),
    )
    const progress = events.filter((e) => e.type === 'file.progress' && e.path === 'seed/001_rows.sql')
    expect(progress.length).toBeGreaterThan(5)
    const last = progress.at(-1) as Extract<SquizzleEvent, { type: 'file.progress' }>
    expect([last.done, last.bytesDone]).toEqual([last.statements, last.bytes])
  }, 180_000)

  it('names the file and line of a failing statement, and leaves nothing of the version', async () => {
    const storage = new MemoryStorage()
    const text = seed(true)
    await storage.add('1.0.0', files(text))
    const err = await migrator(storage)
      .apply()
      .catch((e: unknown) => e)
    expect(isSquizzleError(err) && [err.code, isSquizzleError(err.cause) && err.cause.code]).toEqual([
      'MIGRATION_FAILED',
      'DATABASE_ERROR',
    ])
    const line = text.slice(0, text.indexOf('missing_rows')).split('\n').length
    expect(isSquizzleError(err) && [err.details?.['path'], err.details?.['line']]).toEqual(['seed/001_rows.sql', line])
    expect(await query(url, "SELECT 1 FROM pg_namespace WHERE nspname = 'app'")).toEqual([])
  }, 180_000)

  it('is refused before it commits when the bytes read again to run are not the verified ones', async () => {
    const honest = await makeTestVersion('1.0.0', files(seed()))
    // Same length, one byte changed at the very end of the file: only its SHA-256 can tell.
    const text = seed()
    const at = text.lastIndexOf('x')
    const changed = `${text.slice(0, at)}y${text.slice(at + 1)}`
    const other = await makeTestVersion('1.0.0', files(changed))
    const storage = new ChangingStorage(1, other.bundle)
    await storage.push(honest)
    const err = await migrator(storage)
      .apply()
      .catch((e: unknown) => e)
    expect(storage.opens).toBe(2)
    expect(
      isSquizzleError(err) && [err.code, isSquizzleError(err.cause) && err.cause.code, err.details?.['path']],
    ).toEqual(['MIGRATION_FAILED', 'DIGEST_MISMATCH', 'seed/001_rows.sql'])
    expect(await query(url, "SELECT 1 FROM pg_namespace WHERE nspname = 'app'")).toEqual([])
    const rows = await query<{ status: string; error_code: string }>(
      url,
      "SELECT status, error_code FROM squizzle.history WHERE version = '1.0.0'",
    )
    expect(rows).toEqual([{ status: 'failed', error_code: 'DIGEST_MISMATCH' }])
  }, 180_000)
})
