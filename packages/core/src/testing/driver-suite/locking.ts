import { expect, it } from 'vitest'
import { isSquizzleError } from '../../errors/squizzle-error.js'
import { codeOf, type DriverHarness } from './support.js'

/**
 * The one lock per database, its holder, and its proof inside and outside transactions.
 *
 * @example
 * ```ts
 * describe('the lock', () => lockingTests(harness))
 * ```
 */
export function lockingTests(h: DriverHarness): void {
  it('holds one lock per database: a second taker times out naming the holder, then gets it after release', async () => {
    const a = await h.connect()
    const b = await h.connect()
    const lock = await a.lock({ timeoutMs: 1000 })
    const holder = await b.lockHolder()
    expect(holder?.pid).toBeTypeOf('number')
    const waits: number[] = []
    const err = await b.lock({ timeoutMs: 400, onWait: (_h, ms) => void waits.push(ms) }).catch((e: unknown) => e)
    expect(isSquizzleError(err) && err.code).toBe('LOCK_TIMEOUT')
    expect(waits.length).toBeGreaterThan(0)
    await lock.release()
    await lock.release()
    const second = await b.lock({ timeoutMs: 1000 })
    await second.release()
    expect(await a.lockHolder()).toBeNull()
  })

  it('proves the lock held only while this driver holds it, also inside a transaction', async () => {
    const d = await h.connect()
    const other = await h.connect()
    await d.records.ensureSchema()
    expect(await codeOf(d.assertLockHeld())).toBe('LOCK_LOST')
    const lock = await d.lock({ timeoutMs: 1000 })
    await d.assertLockHeld()
    await d.transaction((tx) => tx.assertLockHeld())
    // Held by another driver is not held by this one.
    expect(await codeOf(other.assertLockHeld())).toBe('LOCK_LOST')
    await lock.release()
    expect(await codeOf(d.assertLockHeld())).toBe('LOCK_LOST')
    expect(await codeOf(d.transaction((tx) => tx.assertLockHeld()))).toBe('LOCK_LOST')
  })
}
