import { createTestDatabase, query } from '@squizzle/testkit'
import { createTargetStorage } from '@squizzle/core'
import { describeStorage } from '@squizzle/core/testing'
import { inject } from 'vitest'
import { PgTableTarget } from '../src/index.js'

// The whole of core's storage specification, against a real PostgreSQL: one fresh database per test.
describeStorage('PgTableTarget (bundles in PostgreSQL tables)', async () => {
  const url = await createTestDatabase(inject('postgresUrl'), 'pgtable')
  // Small chunks, so every bundle spans several rows and the chunk order is exercised.
  const target = new PgTableTarget({ url, schema: 'releases', chunkBytes: 1024 })
  return {
    storage: createTargetStorage(target),
    cleanup: () => target.close(),
    // Flip one byte in the middle of the stored blob, keeping its size.
    corrupt: async (digest) => {
      const at = `(SELECT max(seq) / 2 FROM releases.chunks WHERE digest = '${digest}')`
      await query(
        url,
        'UPDATE releases.chunks SET data = set_byte(data, 0, get_byte(data, 0) # 255) ' +
          `WHERE digest = '${digest}' AND seq = ${at}`,
      )
    },
  }
})
