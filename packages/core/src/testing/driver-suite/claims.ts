import { expect, it } from 'vitest'
import { codeOf, eventually, testDigest, type DriverHarness } from './support.js'

/**
 * Applied marks and session claims: what makes a second commit of a version impossible.
 *
 * @example
 * ```ts
 * describe('version claims', () => claimTests(harness))
 * ```
 */
export function claimTests(h: DriverHarness): void {
  it('marks a version applied once: a second mark waits for the first transaction, then is refused', async () => {
    const a = await h.connect()
    const b = await h.connect()
    await a.records.ensureSchema()
    const claim = { version: '4.0.0', manifestDigest: testDigest('4'), operation: 'apply' as const }
    let marked!: () => void
    const isMarked = new Promise<void>((resolve) => (marked = resolve))
    let finish!: () => void
    const finished = new Promise<void>((resolve) => (finish = resolve))
    const first = a.transaction(async (tx) => {
      await tx.records.claimVersion(claim)
      marked()
      await finished
    })
    await isMarked
    const second = b.transaction((tx) => tx.records.claimVersion(claim))
    // The second mark is still waiting on the first, uncommitted one.
    const waiting = new Promise((resolve) => setTimeout(() => resolve('waiting'), 300))
    expect(
      await Promise.race([
        second.then(
          () => 'done',
          () => 'done',
        ),
        waiting,
      ]),
    ).toBe('waiting')
    finish()
    await first
    expect(await codeOf(second)).toBe('VERSION_CLAIMED')
  })

  it('takes an applied mark away in a transaction; then the version can be marked again', async () => {
    const b = await h.connect()
    await b.records.ensureSchema()
    const claim = { version: '4.1.0', manifestDigest: testDigest('4'), operation: 'apply' as const }
    await b.transaction((tx) => tx.records.claimVersion(claim))
    await expect(
      b.transaction(async (tx) => {
        await tx.records.releaseVersion('4.1.0')
        throw new Error('abort')
      }),
    ).rejects.toThrow('abort')
    expect(await codeOf(b.transaction((tx) => tx.records.claimVersion(claim)))).toBe('VERSION_CLAIMED')
    await b.transaction((tx) => tx.records.releaseVersion('4.1.0'))
    expect(await codeOf(b.records.releaseVersion('4.1.0'))).toBe('VERSION_CLAIMED')
    await b.transaction((tx) => tx.records.claimVersion(claim))
  })

  it('keeps a claim for the session that holds it, which then marks the version applied', async () => {
    const a = await h.connect()
    const b = await h.connect()
    await a.records.ensureSchema()
    const claim = { version: '5.0.0', manifestDigest: testDigest('5'), operation: 'apply' as const }
    await a.records.claimVersion(claim)
    await a.records.claimVersion(claim)
    expect(await codeOf(b.records.claimVersion(claim))).toBe('VERSION_CLAIMED')
    expect(await codeOf(b.transaction((tx) => tx.records.claimVersion(claim)))).toBe('VERSION_CLAIMED')
    await a.transaction((tx) => tx.records.claimVersion(claim))
    expect(await codeOf(a.records.claimVersion(claim))).toBe('VERSION_CLAIMED')
    // A claim given up (a failed run) can be taken by anyone.
    const other = { ...claim, version: '5.1.0' }
    await a.records.claimVersion(other)
    await a.records.releaseVersion('5.1.0')
    await b.records.claimVersion(other)
  })

  it('lets another session take over the claim of a session that closed', async () => {
    const a = await h.connect()
    const b = await h.connect()
    await a.records.ensureSchema()
    const claim = { version: '5.2.0', manifestDigest: testDigest('6'), operation: 'apply' as const }
    await a.records.claimVersion(claim)
    await a.close()
    // The server may take a moment to end the closed session's backend.
    await eventually(() => b.records.claimVersion(claim))
    await b.transaction((tx) => tx.records.claimVersion(claim))
  })
}
