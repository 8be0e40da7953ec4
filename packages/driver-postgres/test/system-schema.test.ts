import { isSquizzleError, type HistoryEntryInput } from '@squizzle/core'
import { createTestDatabase, query } from '@squizzle/testkit'
import { describe, expect, inject, it } from 'vitest'
import { PostgresDriver, systemSchemaFiles } from '../src/index.js'

// A database whose system schema an older release created: the first `count` files, each recorded as then.
async function olderSchema(count: number): Promise<string> {
  const url = await createTestDatabase(inject('postgresUrl'))
  await query(
    url,
    `CREATE SCHEMA squizzle; CREATE TABLE squizzle.schema_version (
    name text PRIMARY KEY, sha256 text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
  )
  for (const file of (await systemSchemaFiles()).slice(0, count)) {
    await query(url, file.sql)
    await query(url, `INSERT INTO squizzle.schema_version (name, sha256) VALUES ('${file.name}', '${file.sha256}')`)
  }
  return url
}

async function withDriver<T>(url: string, fn: (driver: PostgresDriver) => Promise<T>): Promise<T> {
  const driver = new PostgresDriver({ url })
  await driver.connect()
  try {
    return await fn(driver)
  } finally {
    await driver.close()
  }
}

const recorded = (url: string) =>
  query<{ name: string; sha256: string }>(url, 'SELECT name, sha256 FROM squizzle.schema_version ORDER BY name')

describe('the system schema', () => {
  it('brings a schema an older release created up to date, each file recorded with its SHA-256', async () => {
    const url = await olderSchema(2)
    await withDriver(url, (d) => d.records.ensureSchema())
    const files = await systemSchemaFiles()
    expect(await recorded(url)).toEqual(files.map((f) => ({ name: f.name, sha256: f.sha256 })))
    // 0003 and 0004 ran: the applied table and the skipped_files column exist.
    const columns = await query<{ column_name: string }>(
      url,
      `SELECT column_name FROM information_schema.columns WHERE table_schema = 'squizzle'
        AND (table_name = 'applied' OR column_name = 'skipped_files')`,
    )
    expect(columns.map((c) => c.column_name)).toContain('skipped_files')
    expect(columns.length).toBeGreaterThan(1)
  })

  it('is idempotent: a second driver and a second call change nothing', async () => {
    const url = await createTestDatabase(inject('postgresUrl'))
    await withDriver(url, (d) => d.records.ensureSchema())
    const first = await recorded(url)
    await withDriver(url, async (d) => {
      await d.records.ensureSchema()
      await d.records.ensureSchema()
    })
    expect(await recorded(url)).toEqual(first)
  })

  it('names a failing file and leaves the schema as it was (one transaction)', async () => {
    const url = await olderSchema(2)
    // Something in the way of 0003: it fails, and 0004 must not have run either.
    await query(url, 'CREATE TABLE squizzle.applied (x int)')
    const err = await withDriver(url, (d) => d.records.ensureSchema()).catch((e: unknown) => e)
    expect(isSquizzleError(err) && err.code).toBe('DATABASE_ERROR')
    expect((err as Error).message).toContain('0003_applied.sql')
    expect((await recorded(url)).map((r) => r.name)).toEqual(['0001_history.sql', '0002_rollback.sql'])
    const skipped = await query(
      url,
      `SELECT 1 FROM information_schema.columns WHERE table_schema = 'squizzle' AND column_name = 'skipped_files'`,
    )
    expect(skipped).toEqual([])
  })

  it('refuses a recorded file that differs from the shipped one (TAMPERED)', async () => {
    const url = await createTestDatabase(inject('postgresUrl'))
    await withDriver(url, (d) => d.records.ensureSchema())
    await query(url, `UPDATE squizzle.schema_version SET sha256 = 'x' WHERE name = '0002_rollback.sql'`)
    // A new driver (that has not seen the schema yet) and one that has: both check.
    const err = await withDriver(url, (d) => d.records.ensureSchema()).catch((e: unknown) => e)
    expect(isSquizzleError(err) && err.code).toBe('TAMPERED')
  })

  it('writes and reads text arrays although its connections fetch no array types', async () => {
    const url = await createTestDatabase(inject('postgresUrl'))
    const skippedFiles = ['seed/a.sql', 'seed/b, "quoted" {x}.sql']
    const manifest = { files: skippedFiles.map((path) => ({ path })) }
    const entry = {
      operation: 'apply',
      version: '1.0.0',
      status: 'success',
      manifestDigest: null,
      checksum: null,
      manifest,
      actor: 'a',
      host: 'h',
      toolVersion: '0.0.0',
      startedAt: new Date(),
      finishedAt: new Date(),
      error: null,
      skippedFiles,
    } as unknown as HistoryEntryInput
    const history = await withDriver(url, async (d) => {
      await d.records.ensureSchema()
      await d.records.addHistory(entry)
      return d.records.history()
    })
    expect(history.map((h) => h.skippedFiles)).toEqual([skippedFiles])
    const [row] = await query<{ skipped: string[] }>(url, 'SELECT skipped_files AS skipped FROM squizzle.history')
    expect(row?.skipped).toEqual(skippedFiles)
  })
})
