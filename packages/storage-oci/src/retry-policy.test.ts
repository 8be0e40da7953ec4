import { describe, expect, it } from 'vitest'
import { backoffDelay, defaultRetryPolicy, isRetryableStatus, retryAfterMs } from './retry-policy.js'

describe('retry policy', () => {
  it('reads Retry-After in seconds and as an HTTP date, without cutting it to the backoff cap', () => {
    expect(retryAfterMs('3')).toBe(3000)
    const now = Date.parse('2026-01-01T00:00:00Z')
    expect(retryAfterMs('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5000)
    expect(retryAfterMs('3600')).toBe(3_600_000)
    expect(retryAfterMs('soon')).toBeUndefined()
    expect(retryAfterMs(null)).toBeUndefined()
  })

  it('backs off exponentially with jitter between half and the full ceiling', () => {
    for (let i = 0; i < 50; i++) {
      const d = backoffDelay({ ...defaultRetryPolicy, baseDelayMs: 100 }, 3)
      expect(d).toBeGreaterThanOrEqual(200)
      expect(d).toBeLessThanOrEqual(400)
    }
  })

  it('retries rate limits and server errors, not client errors', () => {
    expect([429, 500, 502, 503, 504].every(isRetryableStatus)).toBe(true)
    expect([400, 401, 403, 404, 416, 501].some(isRetryableStatus)).toBe(false)
  })
})
