import { describe, expect, it } from 'vitest'
import { TokenCache } from './token-cache.js'

describe('TokenCache', () => {
  it('keys scope sets regardless of order and duplicates', () => {
    expect(TokenCache.key(['repository:b:pull', 'repository:a:pull,push', 'repository:b:pull'])).toBe(
      'repository:a:pull,push repository:b:pull',
    )
  })

  it('serves a token until shortly before it expires, then forgets it', () => {
    let now = 1_000_000
    const cache = new TokenCache(() => now)
    cache.set('k', 't1', 60)
    now += 49_000
    expect(cache.get('k')).toBe('t1')
    now += 2_000
    expect(cache.get('k')).toBeUndefined()
  })

  it('assumes 60 seconds when the server gives no expiry, and halves short lives', () => {
    let now = 0
    const cache = new TokenCache(() => now)
    cache.set('a', 'ta', undefined)
    cache.set('b', 'tb', 4)
    now = 1_999
    expect(cache.get('b')).toBe('tb')
    now = 2_000
    expect(cache.get('b')).toBeUndefined()
    expect(cache.get('a')).toBe('ta')
  })
})
