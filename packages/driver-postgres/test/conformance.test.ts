import { describeDriver } from '@squizzle/core/testing'
import { createTestDatabase } from '@squizzle/testkit'
import { inject } from 'vitest'
import { PostgresDriver } from '../src/index.js'

describeDriver('PostgresDriver', async () => {
  const url = await createTestDatabase(inject('postgresUrl'))
  return { driver: () => new PostgresDriver({ url }) }
})
