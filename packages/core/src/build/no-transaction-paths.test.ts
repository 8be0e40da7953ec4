import { describe, expect, it } from 'vitest'
import { codeOf } from '../test-support/code-of.js'
import { checkNoTransactionPaths } from './no-transaction-paths.js'

const sources = [
  { kind: 'migrations' as const, path: 'migrations/001_t.sql', file: 'db/migrations/001_t.sql' },
  { kind: 'migrations' as const, path: 'migrations/002_idx.sql', file: 'db/migrations/002_idx.sql' },
]

describe('checkNoTransactionPaths', () => {
  it('returns the declared bundle paths', () => {
    expect([...checkNoTransactionPaths(['migrations/002_idx.sql'], sources)]).toEqual(['migrations/002_idx.sql'])
  })

  it.each([['db/migrations/002_idx.sql'], ['migrations/02_idx.sql'], ['002_idx.sql']])(
    'refuses %s, which names no source file (CONFIG_INVALID)',
    (path) => {
      expect(codeOf(() => checkNoTransactionPaths([path], sources))).toBe('CONFIG_INVALID')
    },
  )
})
