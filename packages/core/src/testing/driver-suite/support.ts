import type { HistoryEntryInput, MigrationUnit } from '../../driver/database-driver.js'
import { isSquizzleError } from '../../errors/squizzle-error.js'
import type { DatabaseDriver } from '../../driver/database-driver.js'

/** What each group of the driver suite gets: connected drivers on one fresh database per test. */
export interface DriverHarness {
  /** A new, connected driver on this test's database (closed after the test). */
  connect(): Promise<DatabaseDriver>
}

/**
 * The code of the SquizzleError `promise` rejects with, null when it resolves.
 *
 * @example
 * ```ts
 * expect(await codeOf(d.assertLockHeld())).toBe('LOCK_LOST')
 * ```
 */
export async function codeOf(promise: Promise<unknown>): Promise<string | null> {
  return promise.then(
    () => null,
    (e: unknown) => (isSquizzleError(e) ? e.code : String(e)),
  )
}

/**
 * A unit of the conformance file with these statements.
 *
 * @example
 * ```ts
 * await d.run(unit(['CREATE TABLE t (id int)']))
 * ```
 */
export function unit(statements: string[]): MigrationUnit {
  return { version: '0.0.0', path: 'migrations/conformance.sql', statements }
}

/**
 * Raises an error (failing the statement) unless `condition` is true, as one SQL statement.
 *
 * @example
 * ```ts
 * await d.run(unit([expectSql("(SELECT count(*) FROM t) = 1", 'count')]))
 * ```
 */
export function expectSql(condition: string, label: string): string {
  return `DO $$ BEGIN IF NOT (${condition}) THEN RAISE EXCEPTION $m$${label}$m$; END IF; END $$`
}

/**
 * A history row of a test run of `version`.
 *
 * @example
 * ```ts
 * await d.records.addHistory(entry('1.0.0', 'success'))
 * ```
 */
export function entry(version: string, status: 'success' | 'failed'): HistoryEntryInput {
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

/** A digest made of one repeated hex character, for test rows. */
export function testDigest(hex: string): string {
  return `sha256:${hex.repeat(64)}`
}

/**
 * Calls `fn` until it resolves, for up to `timeoutMs` (then throws its last error).
 *
 * @example
 * ```ts
 * await eventually(() => other.records.claimVersion(claim))
 * ```
 */
export async function eventually(fn: () => Promise<void>, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs
  for (;;) {
    try {
      return await fn()
    } catch (err) {
      if (Date.now() > until) throw err
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }
}
