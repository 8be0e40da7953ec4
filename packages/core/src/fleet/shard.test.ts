import { describe, expect, it } from 'vitest'
import { codeOf } from '../test-support/code-of.js'
import { shard } from './shard.js'

const fleet = Array.from({ length: 103 }, (_, i) => ({ name: `tenant_${String(i).padStart(3, '0')}` }))

describe('shard', () => {
  it('splits the fleet so the union of all shards is every target and no target is in two', () => {
    for (const count of [1, 2, 3, 7, 10, 103, 150]) {
      const shards = Array.from({ length: count }, (_, i) => shard(fleet, i, count).map((t) => t.name))
      const all = shards.flat()
      expect(new Set(all).size).toBe(all.length)
      expect([...all].sort()).toEqual(fleet.map((t) => t.name).sort())
    }
  })

  it('gives the same shard whatever order the list comes in, balanced within one target', () => {
    const reversed = [...fleet].reverse()
    for (let i = 0; i < 4; i++) expect(shard(reversed, i, 4)).toEqual(shard(fleet, i, 4))
    const sizes = Array.from({ length: 4 }, (_, i) => shard(fleet, i, 4).length)
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1)
  })

  it('refuses a shard that does not exist', () => {
    expect(codeOf(() => shard(fleet, 4, 4))).toBe('USAGE')
    expect(codeOf(() => shard(fleet, -1, 4))).toBe('USAGE')
    expect(codeOf(() => shard(fleet, 0, 0))).toBe('USAGE')
    expect(codeOf(() => shard(fleet, 0.5, 2))).toBe('USAGE')
  })
})
