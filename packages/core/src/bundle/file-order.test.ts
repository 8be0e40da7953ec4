import { describe, expect, it } from 'vitest'
import { compareBundleFiles, comparePaths } from './file-order.js'

describe('comparePaths', () => {
  it('orders numbers naturally: 2_x before 10_x', () => {
    expect(comparePaths('migrations/2_x.sql', 'migrations/10_x.sql')).toBeLessThan(0)
    expect(['10_b.sql', '2_a.sql', '1_c.sql', '100_a.sql'].sort(comparePaths)).toEqual([
      '1_c.sql',
      '2_a.sql',
      '10_b.sql',
      '100_a.sql',
    ])
  })

  it('orders timestamped names (Prisma, drizzle) as their digits say', () => {
    const names = ['20230105115145_b.sql', '20221227191746_a.sql', '0010_c.sql', '0002_d.sql']
    expect([...names].sort(comparePaths)).toEqual([
      '0002_d.sql',
      '0010_c.sql',
      '20221227191746_a.sql',
      '20230105115145_b.sql',
    ])
  })

  it('orders natural ties by bytes, so the order is total: 01_a and 1_a differ', () => {
    expect(comparePaths('01_a.sql', '1_a.sql')).not.toBe(0)
    expect(Math.sign(comparePaths('01_a.sql', '1_a.sql'))).toBe(-Math.sign(comparePaths('1_a.sql', '01_a.sql')))
  })

  it('returns 0 only for identical paths', () => {
    const paths = ['a.sql', 'A.sql', '1.sql', '01.sql', '001.sql', 'a/b.sql', 'a_b.sql', 'é.sql', 'e.sql']
    for (const a of paths) {
      for (const b of paths) expect([a, b, comparePaths(a, b) === 0]).toEqual([a, b, a === b])
    }
  })

  it('gives the same order whatever the input order', () => {
    const paths = ['b.sql', 'a10.sql', 'a2.sql', 'A2.sql', '02.sql', '2.sql', 'a/1.sql', 'a_1.sql']
    const sorted = [...paths].sort(comparePaths)
    expect([...paths].reverse().sort(comparePaths)).toEqual(sorted)
  })
})

describe('compareBundleFiles', () => {
  it('orders by kind (drizzle, migrations, seed, rollback), then naturally by path', () => {
    const files = [
      { kind: 'rollback' as const, path: 'rollback/1.sql' },
      { kind: 'seed' as const, path: 'seed/1.sql' },
      { kind: 'migrations' as const, path: 'migrations/10_b.sql' },
      { kind: 'migrations' as const, path: 'migrations/2_a.sql' },
      { kind: 'drizzle' as const, path: 'drizzle/0001.sql' },
    ]
    expect(files.sort(compareBundleFiles).map((f) => f.path)).toEqual([
      'drizzle/0001.sql',
      'migrations/2_a.sql',
      'migrations/10_b.sql',
      'seed/1.sql',
      'rollback/1.sql',
    ])
  })
})
