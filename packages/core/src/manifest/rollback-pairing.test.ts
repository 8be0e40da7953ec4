import { describe, expect, it } from 'vitest'
import type { FileKind } from './manifest.js'
import { migrationPathsFor, rollbackPathFor, rollbackRunOrder } from './rollback-pairing.js'

const f = (path: string) => ({ path, kind: path.split('/')[0] as FileKind })
const paths = (files: { path: string }[]) => files.map((x) => x.path)

describe('rollback pairing', () => {
  it('pairs rollback/<name> with migrations/<name> and drizzle/<name>, never with seeds', () => {
    expect(rollbackPathFor(f('migrations/sub/003_orders.sql'))).toBe('rollback/sub/003_orders.sql')
    expect(rollbackPathFor(f('drizzle/0000_init.sql'))).toBe('rollback/0000_init.sql')
    expect(rollbackPathFor(f('seed/001_products.sql'))).toBeNull()
    expect(rollbackPathFor(f('schema/snapshot.json'))).toBeNull()
    expect(migrationPathsFor('rollback/sub/003_orders.sql')).toEqual([
      'drizzle/sub/003_orders.sql',
      'migrations/sub/003_orders.sql',
    ])
  })

  it('runs rollback files in the reverse order of their migrations: migrations newest first, then drizzle', () => {
    const files = [
      'drizzle/0000_init.sql',
      'drizzle/0001_more.sql',
      'migrations/2_b.sql',
      'migrations/10_c.sql',
      'seed/1_s.sql',
    ].map(f)
    const rollback = ['rollback/0000_init.sql', 'rollback/0001_more.sql', 'rollback/10_c.sql', 'rollback/2_b.sql'].map(
      f,
    )
    expect(paths(rollbackRunOrder(files, rollback))).toEqual([
      'rollback/10_c.sql',
      'rollback/2_b.sql',
      'rollback/0001_more.sql',
      'rollback/0000_init.sql',
    ])
  })

  it('runs rollback files of versions built before pairing newest path first, after the paired ones', () => {
    const files = ['migrations/001_a.sql', 'migrations/002_b.sql'].map(f)
    const rollback = ['rollback/down_1.sql', 'rollback/001_a.sql', 'rollback/down_2.sql'].map(f)
    expect(paths(rollbackRunOrder(files, rollback))).toEqual([
      'rollback/001_a.sql',
      'rollback/down_2.sql',
      'rollback/down_1.sql',
    ])
  })
})
