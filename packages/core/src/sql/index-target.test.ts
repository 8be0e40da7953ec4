import { describe, expect, it } from 'vitest'
import { concurrentIndexTarget } from './index-target.js'
import { splitStatements } from './split-statements.js'

async function targets(sql: string) {
  return (await splitStatements(sql)).map(concurrentIndexTarget)
}

describe('concurrentIndexTarget', () => {
  it('reads the index name and the table as written, quoted names included', async () => {
    const sql =
      'CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS "Members.Email" ON app."Members" (email);\n' +
      'CREATE INDEX CONCURRENTLY i ON t (x);'
    expect(await targets(sql)).toEqual([
      { schema: 'app', table: 'Members', index: 'Members.Email' },
      { schema: null, table: 't', index: 'i' },
    ])
  })

  it('has no index name when PostgreSQL picks one', async () => {
    expect(await targets('CREATE INDEX CONCURRENTLY ON t (x)')).toEqual([{ schema: null, table: 't', index: null }])
  })

  it('is null for an index built in a transaction and for other statements', async () => {
    expect(await targets('CREATE INDEX i ON t (x); DROP INDEX CONCURRENTLY i; SELECT 1')).toEqual([null, null, null])
  })
})
