import { expect, it } from 'vitest'
import { codeOf, entry, testDigest, type DriverHarness } from './support.js'

/**
 * The record store: history, progress, audit and kept files, at once and inside transactions.
 *
 * @example
 * ```ts
 * describe('records', () => recordTests(harness))
 * ```
 */
export function recordTests(h: DriverHarness): void {
  it('reads no history before its schema exists, and creates the schema idempotently', async () => {
    const d = await h.connect()
    expect(await d.records.history()).toEqual([])
    await d.records.ensureSchema()
    await d.records.ensureSchema()
    expect(await d.records.history()).toEqual([])
  })

  it('appends history rows and reads them back in order', async () => {
    const d = await h.connect()
    await d.records.ensureSchema()
    await d.records.addHistory(entry('1.0.0', 'success'))
    await d.records.addHistory({ ...entry('1.1.0', 'failed'), error: { code: 'DATABASE_ERROR', message: 'boom' } })
    const rows = await d.records.history()
    expect(rows.map((r) => [r.version, r.status, r.operation])).toEqual([
      ['1.0.0', 'success', 'apply'],
      ['1.1.0', 'failed', 'apply'],
    ])
    expect(rows[1]?.error).toEqual({ code: 'DATABASE_ERROR', message: 'boom' })
    expect(rows[0]!.id).toBeLessThan(rows[1]!.id)
    expect(rows[0]!.durationMs).toBe(1500)
  })

  it('keeps progress rows until told to clear them: a history row changes nothing', async () => {
    const d = await h.connect()
    await d.records.ensureSchema()
    const row = { version: '2.0.0', manifestDigest: testDigest('a'), path: 'migrations/1.sql' }
    await d.records.addProgress({ ...row, statement: 0 })
    await d.records.addProgress({ ...row, statement: null })
    await d.records.addHistory(entry('2.0.0', 'success'))
    const rows = await d.records.progress('2.0.0')
    expect(rows.map((r) => [r.path, r.statement, r.manifestDigest])).toEqual([
      ['migrations/1.sql', 0, row.manifestDigest],
      ['migrations/1.sql', null, row.manifestDigest],
    ])
    expect(rows[0]!.finishedAt).toBeInstanceOf(Date)
    expect(await d.records.progress('2.0.1')).toEqual([])
    await d.records.clearProgress('2.0.0')
    expect(await d.records.progress('2.0.0')).toEqual([])
  })

  it("writes a transaction's records only when it commits, and reads its own writes inside it", async () => {
    const d = await h.connect()
    await d.records.ensureSchema()
    const progress = { version: '2.2.0', manifestDigest: testDigest('b'), path: 'migrations/1.sql', statement: null }
    const aborted = d.transaction(async (tx) => {
      await tx.records.addHistory(entry('2.2.0', 'success'))
      await tx.records.addProgress(progress)
      expect((await tx.records.history()).map((r) => r.version)).toEqual(['2.2.0'])
      expect(await tx.records.progress('2.2.0')).toHaveLength(1)
      throw new Error('abort')
    })
    await expect(aborted).rejects.toThrow('abort')
    expect(await d.records.history()).toEqual([])
    expect(await d.records.progress('2.2.0')).toEqual([])
    await d.transaction(async (tx) => {
      await tx.records.addHistory(entry('2.2.0', 'success'))
      await tx.records.clearProgress('2.2.0')
    })
    expect((await d.records.history()).map((r) => r.version)).toEqual(['2.2.0'])
  })

  it('keeps files per artifact, only when the transaction commits, and ignores a second save', async () => {
    const d = await h.connect()
    await d.records.ensureSchema()
    const digest = testDigest('c')
    expect(await d.records.keptFiles(digest)).toEqual([])
    const files = [
      { path: 'rollback/2_b.sql', sha256: 'd'.repeat(64), content: 'DROP TABLE b;' },
      { path: 'rollback/1_a.sql', sha256: 'e'.repeat(64), content: "DROP TABLE a; -- 'quoted' $$ text" },
    ]
    await expect(
      d.transaction(async (tx) => {
        await tx.records.keepFiles('3.0.0', digest, files)
        throw new Error('abort')
      }),
    ).rejects.toThrow()
    expect(await d.records.keptFiles(digest)).toEqual([])
    await d.transaction((tx) => tx.records.keepFiles('3.0.0', digest, files))
    await d.records.keepFiles('3.0.0', digest, [{ ...files[0]!, content: 'DROP TABLE other;' }])
    expect(await d.records.keptFiles(digest)).toEqual([files[1], files[0]])
    expect(await d.records.keptFiles(testDigest('f'))).toEqual([])
  })

  it('appends audit rows, at once and in a transaction', async () => {
    const d = await h.connect()
    await d.records.ensureSchema()
    const row = { operation: 'apply', outcome: 'refused' as const, version: '1.0.0', actor: 'ci', host: 'h' }
    await d.records.addAudit({ ...row, details: { code: 'TAMPERED' } })
    await d.transaction((tx) => tx.records.addAudit({ ...row, version: null, details: { nested: { n: 1 } } }))
  })

  it('refuses to release a version nobody marked', async () => {
    const d = await h.connect()
    await d.records.ensureSchema()
    expect(await codeOf(d.records.releaseVersion('9.9.9'))).toBe('VERSION_CLAIMED')
    expect(await codeOf(d.transaction((tx) => tx.records.releaseVersion('9.9.9')))).toBe('VERSION_CLAIMED')
  })
}
