import { describe, expect, it } from 'vitest'
import { formatBytes, formatDuration } from './units.js'

describe('human units', () => {
  it('writes durations in ms, s, min and h', () => {
    expect([42, 999, 1000, 16_860, 59_990, 125_000, 3_723_000].map(formatDuration)).toEqual([
      '42 ms',
      '999 ms',
      '1.0 s',
      '16.9 s',
      '1 min 0 s',
      '2 min 5 s',
      '1 h 2 min',
    ])
  })

  it('writes sizes in binary units', () => {
    expect([0, 1023, 1536, 61_198_741, 5 * 1024 ** 3].map(formatBytes)).toEqual([
      '0 B',
      '1023 B',
      '1.5 KiB',
      '58.4 MiB',
      '5.0 GiB',
    ])
  })
})
