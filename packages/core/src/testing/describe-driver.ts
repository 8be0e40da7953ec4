import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { DatabaseDriver, HistoryEntryInput } from '../driver/database-driver.js'
import { isSquizzleError } from '../errors/squizzle-error.js'
import { diffSnapshots } from '../snapshot/diff-snapshots.js'
import { parseSnapshot, serializeSnapshot, type SchemaSnapshot } from '../snapshot/schema-snapshot.js'

/** What `describeDriver` needs: a fresh, empty database per call, and two drivers on it. */
export interface DriverFactory {
  /** A new empty database; returns a factory of unconnected drivers on it. */
  (): Promise<{ driver: () => DatabaseDriver; cleanup?: () => Promise<void> }>
}

/**
 * The conformance suite every DatabaseDriver passes: system schema, history,
 * transactions, statement-by-statement runs with resume (and the session
 * restored), session isolation between files, the lock and its proof, applied
 * marks and claims, progress and audit, and the optional schema snapshot and
 * invalid-index repair. Run it from your plugin's tests:
 *
 * @example
 * ```ts
 * import { describeDriver } from '@squizzle/core/testing'
 * describeDriver('my-driver', async () => {
 *   const url = await createEmptyDatabase()
 *   return { driver: () => new MyDriver({ url }) }
 * })
 * ```
 */
export function describeDriver(name: string, factory: DriverFactory): void {
  describe(`DatabaseDriver conformance: ${name}`, () => {
    let make: () => DatabaseDriver
    let cleanup: (() => Promise<void>) | undefined
    const open: DatabaseDriver[] = []
    const connect = async (): Promise<DatabaseDriver> => {
      const driver = make()
      await driver.connect()
      open.push(driver)
      return driver
    }

    beforeEach(async () => {
      const made = await factory()
      make = made.driver
      cleanup = made.cleanup
    })
    afterEach(async () => {
      for (const d of open.splice(0)) await d.close()
      await cleanup?.()
    })

    it('creates the system schema idempotently', async () => {
      const d = await connect()
      expect(await d.hasSystemSchema()).toBe(false)
      await d.ensureSystemSchema()
      await d.ensureSystemSchema()
      expect(await d.hasSystemSchema()).toBe(true)
      expect(await d.history()).toEqual([])
    })

    it('records history rows and reads them back in order', async () => {
      const d = await connect()
      await d.ensureSystemSchema()
      await d.record(entry('1.0.0', 'success'))
      await d.record({ ...entry('1.1.0', 'failed'), error: { code: 'DATABASE_ERROR', message: 'boom' } })
      const rows = await d.history()
      expect(rows.map((r) => [r.version, r.status, r.operation])).toEqual([
        ['1.0.0', 'success', 'apply'],
        ['1.1.0', 'failed', 'apply'],
      ])
      expect(rows[1]?.error).toEqual({ code: 'DATABASE_ERROR', message: 'boom' })
      expect(rows[0]!.id).toBeLessThan(rows[1]!.id)
      expect(rows[0]!.durationMs).toBe(1500)
    })

    it('commits a transaction that resolves and rolls back one that throws', async () => {
      const d = await connect()
      await expect(d.transaction(async (tx) => {
        await tx.run(unit(['CREATE TABLE conformance_rolled_back (id int)']))
        throw new Error('abort')
      })).rejects.toThrow('abort')
      // Creating it again succeeds only if the first one was rolled back.
      await d.transaction((tx) => tx.run(unit(['CREATE TABLE conformance_rolled_back (id int)'])))
      await expect(d.run(unit(['CREATE TABLE conformance_rolled_back (id int)']))).rejects.toSatisfy(isSquizzleError)
    })

    it('runs a whole script in one round trip', async () => {
      const d = await connect()
      await d.run({ ...unit([]), script: 'CREATE TABLE s1 (id int); INSERT INTO s1 VALUES (1); CREATE TABLE s2 (id int);' })
      await d.run(unit(['DO $$ BEGIN IF (SELECT count(*) FROM s1) <> 1 THEN RAISE EXCEPTION $m$missing$m$; END IF; END $$']))
    })

    it('runs non-transactional statements one by one, reporting each, resuming from an index', async () => {
      const d = await connect()
      const seen: number[] = []
      const statements = ['CREATE TABLE nt (id int)', 'INSERT INTO nt VALUES (1)', 'INSERT INTO nt VALUES (2)']
      await d.run({ ...unit(statements), transactional: false }, { onStatement: async (i) => void seen.push(i) })
      expect(seen).toEqual([0, 1, 2])
      // Resuming at 1 must skip the CREATE (which would now fail) and run the rest.
      const resumed: number[] = []
      await d.run({ ...unit(statements), transactional: false }, { fromStatement: 1, onStatement: async (i) => void resumed.push(i) })
      expect(resumed).toEqual([1, 2])
      await d.run(unit(['DO $$ BEGIN IF (SELECT count(*) FROM nt) <> 4 THEN RAISE EXCEPTION $m$count$m$; END IF; END $$']))
    })

    it('keeps statements that fail outside a transaction from undoing earlier ones', async () => {
      const d = await connect()
      const statements = ['CREATE TABLE partial (id int)', 'SELECT 1/0']
      await expect(d.run({ ...unit(statements), transactional: false })).rejects.toSatisfy((e) => isSquizzleError(e) && e.code === 'DATABASE_ERROR')
      await d.run(unit(['INSERT INTO partial VALUES (1)']))
    })

    it('does not leak session settings from one unit into the next', async () => {
      const d = await connect()
      await d.run(unit(["SET lock_timeout = '1234ms'", "SET search_path = pg_catalog"]))
      await d.run({ ...unit(["SET statement_timeout = '4321ms'"]), transactional: false })
      await d.run(unit([
        "DO $$ BEGIN IF current_setting('lock_timeout') = '1234ms' OR current_setting('statement_timeout') = '4321ms' OR current_setting('search_path') = 'pg_catalog' THEN RAISE EXCEPTION $m$leaked$m$; END IF; END $$",
      ]))
      await d.transaction(async (tx) => {
        await tx.run(unit(["SET lock_timeout = '1234ms'"]))
        await tx.run(unit(["DO $$ BEGIN IF current_setting('lock_timeout') = '1234ms' THEN RAISE EXCEPTION $m$leaked in transaction$m$; END IF; END $$"]))
      })
    })

    it('holds one lock per database: a second taker times out naming the holder, then gets it after release', async () => {
      const a = await connect()
      const b = await connect()
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
      const d = await connect()
      await d.ensureSystemSchema()
      expect(await codeOf(d.assertLockHeld())).toBe('LOCK_LOST')
      const lock = await d.lock({ timeoutMs: 1000 })
      await d.assertLockHeld()
      await d.transaction((tx) => tx.assertLockHeld())
      await lock.release()
      expect(await codeOf(d.assertLockHeld())).toBe('LOCK_LOST')
    })

    it('marks a version applied once: a second mark waits for the first transaction, then is refused', async () => {
      const a = await connect()
      const b = await connect()
      await a.ensureSystemSchema()
      const claim = { version: '4.0.0', manifestDigest: `sha256:${'4'.repeat(64)}`, operation: 'apply' as const }
      let marked!: () => void
      const isMarked = new Promise<void>((resolve) => (marked = resolve))
      let finish!: () => void
      const finished = new Promise<void>((resolve) => (finish = resolve))
      const first = a.transaction(async (tx) => {
        await tx.claimVersion(claim)
        marked()
        await finished
      })
      await isMarked
      const second = b.transaction((tx) => tx.claimVersion(claim))
      // The second mark is still waiting on the first, uncommitted one.
      const waiting = new Promise((resolve) => setTimeout(() => resolve('waiting'), 300))
      expect(await Promise.race([second.then(() => 'done', () => 'done'), waiting])).toBe('waiting')
      finish()
      await first
      expect(await codeOf(second)).toBe('VERSION_CLAIMED')
      // A rollback takes the mark away in its transaction; then the version can be marked again.
      await expect(b.transaction(async (tx) => {
        await tx.releaseVersion('4.0.0')
        throw new Error('abort')
      })).rejects.toThrow('abort')
      expect(await codeOf(b.transaction((tx) => tx.claimVersion(claim)))).toBe('VERSION_CLAIMED')
      await b.transaction((tx) => tx.releaseVersion('4.0.0'))
      expect(await codeOf(b.releaseVersion('4.0.0'))).toBe('VERSION_CLAIMED')
      await b.transaction((tx) => tx.claimVersion(claim))
    })

    it('keeps a claim for the session that holds it, which then marks the version applied', async () => {
      const a = await connect()
      const b = await connect()
      await a.ensureSystemSchema()
      const claim = { version: '5.0.0', manifestDigest: `sha256:${'5'.repeat(64)}`, operation: 'apply' as const }
      await a.claimVersion(claim)
      await a.claimVersion(claim)
      expect(await codeOf(b.claimVersion(claim))).toBe('VERSION_CLAIMED')
      expect(await codeOf(b.transaction((tx) => tx.claimVersion(claim)))).toBe('VERSION_CLAIMED')
      await a.transaction((tx) => tx.claimVersion(claim))
      expect(await codeOf(a.claimVersion(claim))).toBe('VERSION_CLAIMED')
      // A claim given up (a failed run) can be taken by anyone.
      const other = { ...claim, version: '5.1.0' }
      await a.claimVersion(other)
      await a.releaseVersion('5.1.0')
      await b.claimVersion(other)
    })

    it('restores session settings before resuming a no-transaction unit; asks before each statement', async () => {
      const d = await connect()
      const statements = [
        'CREATE SCHEMA conformance_resume',
        'SET search_path = conformance_resume',
        'CREATE TABLE resumed (id int)',
        "DO $$ BEGIN IF to_regclass('conformance_resume.resumed') IS NULL THEN RAISE EXCEPTION $m$x$m$; END IF; END $$",
      ]
      await d.run({ ...unit(statements.slice(0, 2)), transactional: false })
      const asked: number[] = []
      const beforeStatement = async (i: number) => void asked.push(i)
      const resume = { fromStatement: 2, replaySession: [1], beforeStatement }
      await d.run({ ...unit(statements), transactional: false }, resume)
      expect(asked).toEqual([2, 3])
      const err = await d.run({ ...unit(['SELECT 1', 'SELECT 2']), transactional: false }, {
        beforeStatement: async (i) => {
          if (i === 1) throw new Error('stop here')
        },
      }).catch((e: unknown) => e)
      expect((err as Error).message).toBe('stop here')
    })

    it('finds invalid indexes and drops them (when it offers invalidIndexes and dropIndex)', async ({ skip }) => {
      const d = await connect()
      if (!d.invalidIndexes || !d.dropIndex) return skip('the driver implements no invalidIndexes() and dropIndex()')
      await d.run(unit(['CREATE TABLE conformance_dups (v int)', 'INSERT INTO conformance_dups VALUES (1), (1)']))
      const build = unit(['CREATE UNIQUE INDEX CONCURRENTLY conformance_dups_v ON conformance_dups (v)'])
      expect(await codeOf(d.run({ ...build, transactional: false }))).toBe('DATABASE_ERROR')
      const invalid = { schema: 'public', name: 'conformance_dups_v', table: 'conformance_dups' }
      expect(await d.invalidIndexes()).toEqual([invalid])
      const on = { schema: null, table: 'conformance_dups', index: 'conformance_dups_v' }
      expect(await d.invalidIndexes(on)).toEqual([invalid])
      expect(await d.invalidIndexes({ ...on, schema: 'public', index: null })).toEqual([invalid])
      expect(await d.invalidIndexes({ ...on, index: 'another_name' })).toEqual([])
      await d.dropIndex(invalid)
      expect(await d.invalidIndexes()).toEqual([])
    })

    it('records and reads progress, and a successful record clears it', async () => {
      const d = await connect()
      await d.ensureSystemSchema()
      await d.recordProgress({ version: '2.0.0', manifestDigest: 'sha256:' + 'a'.repeat(64), path: 'migrations/1.sql', statement: 0 })
      await d.recordProgress({ version: '2.0.0', manifestDigest: 'sha256:' + 'a'.repeat(64), path: 'migrations/1.sql', statement: null })
      const rows = await d.progress('2.0.0')
      expect(rows.map((r) => [r.path, r.statement])).toEqual([
        ['migrations/1.sql', 0],
        ['migrations/1.sql', null],
      ])
      await d.record(entry('2.0.0', 'success'))
      expect(await d.progress('2.0.0')).toEqual([])
    })

    it('keeps progress on a repair row, and clearProgress forgets it', async () => {
      const d = await connect()
      await d.ensureSystemSchema()
      const digest = 'sha256:' + 'b'.repeat(64)
      await d.recordProgress({ version: '2.1.0', manifestDigest: digest, path: 'migrations/1.sql', statement: 3 })
      await d.record({ ...entry('2.1.0', 'success'), operation: 'repair' })
      expect((await d.progress('2.1.0')).map((r) => r.statement)).toEqual([3])
      await d.clearProgress('2.1.0')
      expect(await d.progress('2.1.0')).toEqual([])
    })

    it('keeps rollback scripts per artifact, in one transaction with the history row, and ignores a second save', async () => {
      const d = await connect()
      await d.ensureSystemSchema()
      const digest = 'sha256:' + 'c'.repeat(64)
      expect(await d.rollbackScripts(digest)).toEqual([])
      const scripts = [
        { path: 'rollback/2_b.sql', sha256: 'd'.repeat(64), sql: 'DROP TABLE b;' },
        { path: 'rollback/1_a.sql', sha256: 'e'.repeat(64), sql: "DROP TABLE a; -- 'quoted' $$ text" },
      ]
      await expect(d.transaction(async (tx) => {
        await tx.saveRollbackScripts('3.0.0', digest, scripts)
        throw new Error('abort')
      })).rejects.toThrow()
      expect(await d.rollbackScripts(digest)).toEqual([])
      await d.transaction((tx) => tx.saveRollbackScripts('3.0.0', digest, scripts))
      await d.saveRollbackScripts('3.0.0', digest, scripts)
      expect(await d.rollbackScripts(digest)).toEqual([scripts[1], scripts[0]])
      expect(await d.rollbackScripts('sha256:' + 'f'.repeat(64))).toEqual([])
    })

    it('appends audit rows', async () => {
      const d = await connect()
      await d.ensureSystemSchema()
      await d.audit({ operation: 'apply', outcome: 'refused', version: '1.0.0', actor: 'ci', host: 'h', details: { code: 'TAMPERED' } })
    })

    it('snapshots the schema (when it offers snapshotSchema): valid, stable, without its own bookkeeping', async ({ skip }) => {
      const d = await connect()
      if (!d.snapshotSchema) return skip('the driver does not implement the optional snapshotSchema()')
      const empty = await d.snapshotSchema()
      await d.ensureSystemSchema()
      await d.record(entry('1.0.0', 'success'))
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

    it('snapshots inside a transaction: its uncommitted changes included, the transaction left as it was', async ({ skip }) => {
      const d = await connect()
      if (!d.snapshotSchema) return skip('the driver does not implement the optional snapshotSchema()')
      const before = await d.snapshotSchema()
      let inside: SchemaSnapshot | undefined
      let wentOn = false
      const done = d.transaction(async (tx) => {
        await tx.run(unit(['CREATE TABLE conformance_uncommitted (id int)']))
        inside = await tx.snapshotSchema!()
        // Still the same open transaction, with the session's search_path: an unqualified name resolves.
        await tx.run(unit(['INSERT INTO conformance_uncommitted VALUES (1)']))
        wentOn = true
        throw new Error('conformance: rolled back on purpose')
      })
      await expect(done).rejects.toThrow(/rolled back on purpose/)
      expect(wentOn).toBe(true)
      expect(diffSnapshots(before, inside!).map((x) => `${x.change} ${x.kind} ${x.name}`)).toContain('added table public.conformance_uncommitted')
      expect(diffSnapshots(before, await d.snapshotSchema())).toEqual([])
    })
  })
}

async function codeOf(promise: Promise<unknown>): Promise<string | null> {
  return promise.then(
    () => null,
    (e: unknown) => (isSquizzleError(e) ? e.code : String(e)),
  )
}

function unit(statements: string[]) {
  return { version: '0.0.0', path: 'migrations/conformance.sql', statements, transactional: true }
}

function entry(version: string, status: 'success' | 'failed'): HistoryEntryInput {
  const startedAt = new Date('2026-01-01T00:00:00.000Z')
  return {
    operation: 'apply',
    version,
    status,
    manifestDigest: `sha256:${'0'.repeat(64)}`,
    checksum: '0'.repeat(64),
    manifest: null,
    actor: 'tester',
    host: 'localhost',
    toolVersion: '0.0.0-test',
    startedAt,
    finishedAt: new Date(startedAt.getTime() + 1500),
    error: null,
  }
}
