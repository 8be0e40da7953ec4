import { expect, it } from 'vitest'
import { diffSnapshots } from '../../snapshot/diff-snapshots.js'
import { parseSnapshot, serializeSnapshot, type SchemaSnapshot } from '../../snapshot/schema-snapshot.js'
import { codeOf, entry, unit, type DriverHarness } from './support.js'

/**
 * The optional methods, each skipped when the driver does not offer it: invalid
 * indexes and their repair, and schema snapshots outside and inside a transaction.
 *
 * @example
 * ```ts
 * describe('optional methods', () => optionalTests(harness))
 * ```
 */
export function optionalTests(h: DriverHarness): void {
  it('finds invalid indexes and drops them (when it offers invalidIndexes and dropIndex)', async ({ skip }) => {
    const d = await h.connect()
    if (!d.invalidIndexes || !d.dropIndex) return skip('the driver implements no invalidIndexes() and dropIndex()')
    await d.run(unit(['CREATE TABLE conformance_dups (v int)', 'INSERT INTO conformance_dups VALUES (1), (1)']))
    const build = unit(['CREATE UNIQUE INDEX CONCURRENTLY conformance_dups_v ON conformance_dups (v)'])
    expect(await codeOf(d.run(build))).toBe('DATABASE_ERROR')
    const invalid = { schema: 'public', name: 'conformance_dups_v', table: 'conformance_dups' }
    expect(await d.invalidIndexes()).toEqual([invalid])
    const on = { schema: null, table: 'conformance_dups', index: 'conformance_dups_v' }
    expect(await d.invalidIndexes(on)).toEqual([invalid])
    expect(await d.invalidIndexes({ ...on, schema: 'public', index: null })).toEqual([invalid])
    expect(await d.invalidIndexes({ ...on, index: 'another_name' })).toEqual([])
    await d.dropIndex(invalid)
    expect(await d.invalidIndexes()).toEqual([])
  })

  it('snapshots the schema (when it offers snapshotSchema): valid, stable, without its own records', async ({
    skip,
  }) => {
    const d = await h.connect()
    if (!d.snapshotSchema) return skip('the driver does not implement the optional snapshotSchema()')
    const empty = await d.snapshotSchema()
    await d.records.ensureSchema()
    await d.records.addHistory(entry('1.0.0', 'success'))
    expect(diffSnapshots(empty, await d.snapshotSchema())).toEqual([])
    await d.run(unit(['CREATE TABLE conformance_snapshot (id int NOT NULL)']))
    const after = await d.snapshotSchema()
    const added = diffSnapshots(empty, after)
    expect(added.length).toBeGreaterThan(0)
    expect(added.every((x) => x.change === 'added' && x.name.includes('conformance_snapshot'))).toBe(true)
    expect(added.map((x) => x.kind)).toContain('table')
    expect(parseSnapshot(serializeSnapshot(after))).toEqual(after)
    expect(serializeSnapshot(await d.snapshotSchema()).equals(serializeSnapshot(after))).toBe(true)
  })

  it('snapshots inside a transaction: its uncommitted changes included, the transaction left as it was', async ({
    skip,
  }) => {
    const d = await h.connect()
    if (!d.snapshotSchema) return skip('the driver does not implement the optional snapshotSchema()')
    const before = await d.snapshotSchema()
    let inside: SchemaSnapshot | undefined
    let wentOn = false
    const done = d.transaction(async (tx) => {
      if (!tx.snapshotSchema) throw new Error('the driver offers snapshotSchema(), but its transactions do not')
      await tx.run(unit(['CREATE TABLE conformance_uncommitted (id int)']))
      inside = await tx.snapshotSchema()
      // Still the same open transaction, with the session's search_path: an unqualified name resolves.
      await tx.run(unit(['INSERT INTO conformance_uncommitted VALUES (1)']))
      wentOn = true
      throw new Error('conformance: rolled back on purpose')
    })
    await expect(done).rejects.toThrow(/rolled back on purpose/)
    expect(wentOn).toBe(true)
    const added = diffSnapshots(before, inside!).map((x) => `${x.change} ${x.kind} ${x.name}`)
    expect(added).toContain('added table public.conformance_uncommitted')
    expect(diffSnapshots(before, await d.snapshotSchema())).toEqual([])
  })
}
