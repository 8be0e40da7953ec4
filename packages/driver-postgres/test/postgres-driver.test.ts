import { isSquizzleError } from '@squizzle/core'
import { createTestDatabase, query } from '@squizzle/testkit'
import { describe, expect, inject, it } from 'vitest'
import { PostgresDriver, parseConnectionUrl, systemSchemaFiles } from '../src/index.js'

describe('PostgresDriver', () => {
  it('never puts the password in a connection error', async () => {
    const url = new URL(await createTestDatabase(inject('postgresUrl')))
    url.password = 'Wr0ng-S3cret-Value'
    const driver = new PostgresDriver({ url: url.toString() })
    const err = await driver.connect().catch((e: unknown) => e)
    expect(isSquizzleError(err) && err.code).toBe('CONNECTION_FAILED')
    expect(
      JSON.stringify({ message: (err as Error).message, json: (err as { toJSON(): unknown }).toJSON() }),
    ).not.toContain('Wr0ng-S3cret-Value')
  })

  it('redacts passwords in the display URL', () => {
    expect(parseConnectionUrl('postgres://app:p%40ss@db:5432/prod').display).toBe('postgres://app:***@db:5432/prod')
    expect(parseConnectionUrl('postgres://app:p%40ss@db:5432/prod').secrets).toContain('p@ss')
  })

  it('identifies itself and the lock holder by application name', async () => {
    const url = await createTestDatabase(inject('postgresUrl'))
    const a = new PostgresDriver({ url, applicationName: 'squizzle-test' })
    await a.connect()
    try {
      const lock = await a.lock({ timeoutMs: 1000 })
      const holder = await a.lockHolder()
      expect(holder?.applicationName).toBe('squizzle-test (lock)')
      expect(holder?.since).toMatch(/^\d{4}-/)
      await lock.release()
    } finally {
      await a.close()
    }
  })

  it('keeps history append-only', async () => {
    const url = await createTestDatabase(inject('postgresUrl'))
    const d = new PostgresDriver({ url })
    await d.connect()
    try {
      await d.records.ensureSchema()
      await d.records.addAudit({
        operation: 'test',
        outcome: 'success',
        version: null,
        actor: 'a',
        host: 'h',
        details: {},
      })
      await expect(query(url, 'DELETE FROM squizzle.audit')).rejects.toThrow(/append-only/)
      const rows = await query<{ name: string }>(url, 'SELECT name FROM squizzle.schema_version ORDER BY name')
      expect(rows.map((r) => r.name)).toEqual((await systemSchemaFiles()).map((f) => f.name))
    } finally {
      await d.close()
    }
  })

  it('maps a failing statement to DATABASE_ERROR with SQLSTATE and position', async () => {
    const url = await createTestDatabase(inject('postgresUrl'))
    const d = new PostgresDriver({ url })
    await d.connect()
    try {
      const script = { version: '1.0.0', path: 'migrations/x.sql', script: 'SELECT 1;\nSELECT * FROM missing_table;' }
      const err = await d.transaction((tx) => tx.run(script)).catch((e: unknown) => e)
      expect(isSquizzleError(err) && err.code).toBe('DATABASE_ERROR')
      expect(isSquizzleError(err) && err.details?.['sqlState']).toBe('42P01')
      expect(isSquizzleError(err) && err.details?.['position']).toBe(24)
    } finally {
      await d.close()
    }
  })
})
