import { describe, expect, it } from 'vitest'
import { SquizzleError } from '../errors/squizzle-error.js'
import type { SquizzleEvent } from '../events/events.js'
import { connectWithRetry, notReadyReason, retryWait } from './connect-with-retry.js'

const refused = new SquizzleError('CONNECTION_FAILED', 'cannot connect: ECONNREFUSED', {
  details: { errorCode: 'ECONNREFUSED', notReady: 'starting' },
})
const unresolved = new SquizzleError('CONNECTION_FAILED', 'cannot connect: ENOTFOUND', {
  details: { errorCode: 'ENOTFOUND', notReady: 'unresolved' },
})
const badPassword = new SquizzleError('CONNECTION_FAILED', 'password authentication failed', {
  details: { errorCode: '28P01' },
})

/** A driver whose connect fails with `failures` in turn, then succeeds. */
function flakyDriver(failures: unknown[]): { connect(): Promise<void>; attempts: number } {
  const driver = {
    attempts: 0,
    async connect() {
      const failure = failures[driver.attempts++]
      if (failure !== undefined) throw failure
    },
  }
  return driver
}

describe('retryWait', () => {
  it('grows exponentially from 250 ms to at most 5 s, jittered within the upper half', () => {
    const options = { timeoutMs: 600_000 }
    expect([1, 2, 3, 4, 5, 6, 7, 30].map((n) => retryWait(refused, n, 0, options, 0.999999))).toEqual([
      250, 500, 1000, 2000, 4000, 5000, 5000, 5000,
    ])
    expect([1, 2, 3, 30].map((n) => retryWait(refused, n, 0, options, 0))).toEqual([125, 250, 500, 2500])
  })

  it('never waits past the deadline, and gives up at it', () => {
    expect(retryWait(refused, 10, 29_000, { timeoutMs: 30_000 }, 0.9)).toBe(1000)
    expect(retryWait(refused, 10, 30_000, { timeoutMs: 30_000 }, 0.9)).toBeNull()
    expect(retryWait(refused, 1, 0, { timeoutMs: 0 }, 0.5)).toBeNull()
  })

  it('retries an unresolvable host only briefly', () => {
    expect(retryWait(unresolved, 3, 9_000, { timeoutMs: 600_000 }, 0.5)).not.toBeNull()
    expect(retryWait(unresolved, 3, 10_000, { timeoutMs: 600_000 }, 0.5)).toBeNull()
    expect(retryWait(unresolved, 3, 2_000, { timeoutMs: 600_000, unresolvedForMs: 1_000 }, 0.5)).toBeNull()
  })

  it('never retries what waiting cannot fix', () => {
    expect(retryWait(badPassword, 1, 0, { timeoutMs: 600_000 }, 0.5)).toBeNull()
    expect(retryWait(new Error('ECONNREFUSED'), 1, 0, { timeoutMs: 600_000 }, 0.5)).toBeNull()
    expect(notReadyReason(new SquizzleError('DATABASE_ERROR', 'x', { details: { notReady: 'starting' } }))).toBeNull()
  })
})

describe('connectWithRetry', () => {
  it('connects after transient failures, announcing each wait', async () => {
    const driver = flakyDriver([refused, refused])
    const events: SquizzleEvent[] = []
    await connectWithRetry(driver, { timeoutMs: 60_000, events: (e) => events.push(e) })
    expect(driver.attempts).toBe(3)
    expect(events.map((e) => (e.type === 'connect.retry' ? [e.attempt, e.reason] : e.type))).toEqual([
      [1, 'ECONNREFUSED'],
      [2, 'ECONNREFUSED'],
    ])
  })

  it('throws a permanent failure at once, unchanged', async () => {
    const driver = flakyDriver([badPassword])
    await expect(connectWithRetry(driver, { timeoutMs: 60_000 })).rejects.toBe(badPassword)
    expect(driver.attempts).toBe(1)
  })

  it('gives up at the timeout with CONNECTION_FAILED saying how many attempts it made', async () => {
    const driver = flakyDriver(Array.from({ length: 1000 }, () => refused))
    const err = await connectWithRetry(driver, { timeoutMs: 600 }).catch((e: unknown) => e)
    expect(err).toMatchObject({
      code: 'CONNECTION_FAILED',
      details: { notReady: 'starting', attempts: driver.attempts },
    })
    expect(driver.attempts).toBeGreaterThan(1)
  })
})
