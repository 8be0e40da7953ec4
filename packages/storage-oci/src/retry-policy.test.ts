import { describe, expect, it } from 'vitest'
import { defaultRetryPolicy, isRetryableStatus, retryDelay } from './retry-policy.js'

describe('retry policy', () => {
  it('honours Retry-After in seconds and as an HTTP date, capped at maxDelayMs', () => {
    expect(retryDelay(defaultRetryPolicy, 1, '3')).toBe(3000)
    const now = Date.parse('2026-01-01T00:00:00Z')
    expect(retryDelay(defaultRetryPolicy, 1, 'Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5000)
    expect(retryDelay(defaultRetryPolicy, 1, '3600')).toBe(defaultRetryPolicy.maxDelayMs)
  })

  it('backs off exponentially with jitter between half and the full ceiling', () => {
    for (let i = 0; i < 50; i++) {
      const d = retryDelay({ ...defaultRetryPolicy, baseDelayMs: 100 }, 3, null)
      expect(d).toBeGreaterThanOrEqual(200)
      expect(d).toBeLessThanOrEqual(400)
    }
  })

  it('retries rate limits and server errors, not client errors', () => {
    expect([429, 500, 502, 503, 504].every(isRetryableStatus)).toBe(true)
    expect([400, 401, 403, 404, 416, 501].some(isRetryableStatus)).toBe(false)
  })
})
