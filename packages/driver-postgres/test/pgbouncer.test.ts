import { isSquizzleError } from '@squizzle/core'
import { createTestDatabase, findPgBouncer, startPgBouncer } from '@squizzle/testkit'
import { describe, expect, inject, it } from 'vitest'
import { PostgresDriver } from '../src/index.js'

const pgbouncer = findPgBouncer()
if (!pgbouncer) {
  if (process.env['CI']) throw new Error('pgbouncer is required in CI (apt-get install pgbouncer)')
  console.warn('\n⚠ pgbouncer is not installed: SKIPPING the connection-pooler tests (apt-get install pgbouncer)\n')
}

describe.skipIf(!pgbouncer)('behind PgBouncer', () => {
  it('refuses to take the lock through transaction pooling (LOCK_UNSAFE)', async () => {
    const bouncer = await startPgBouncer(await createTestDatabase(inject('postgresUrl')), 'transaction')
    const driver = new PostgresDriver({ url: bouncer.url })
    try {
      await driver.connect()
      const err = await driver.lock({ timeoutMs: 2000 }).catch((e: unknown) => e)
      expect(isSquizzleError(err) && err.code).toBe('LOCK_UNSAFE')
    } finally {
      await driver.close()
      await bouncer.stop()
    }
  })

  it('works through session pooling', async () => {
    const bouncer = await startPgBouncer(await createTestDatabase(inject('postgresUrl')), 'session')
    const driver = new PostgresDriver({ url: bouncer.url })
    try {
      await driver.connect()
      const lock = await driver.lock({ timeoutMs: 2000 })
      await driver.records.ensureSchema()
      await lock.release()
    } finally {
      await driver.close()
      await bouncer.stop()
    }
  })
})
