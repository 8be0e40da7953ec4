import { afterEach, beforeEach, describe } from 'vitest'
import type { DatabaseDriver } from '../driver/database-driver.js'
import { claimTests } from './driver-suite/claims.js'
import { lockingTests } from './driver-suite/locking.js'
import { optionalTests } from './driver-suite/optional.js'
import { recordTests } from './driver-suite/records.js'
import { runningTests } from './driver-suite/running.js'
import type { DriverHarness } from './driver-suite/support.js'

/** What `describeDriver` needs: a fresh, empty database per call, and a factory of drivers on it. */
export interface DriverFactory {
  /** A new empty database; returns a factory of unconnected drivers on it. */
  (): Promise<{ driver: () => DatabaseDriver; cleanup?: () => Promise<void> }>
}

/**
 * The conformance suite every {@link DatabaseDriver} passes, one group per part of
 * the contract: running SQL (transactions, scripts, statement-by-statement runs with
 * resume and the session restored, no settings leaking between files), the lock and
 * its proof, the record store (history, progress, audit, kept files, at once and
 * inside transactions), version claims, and the optional methods (invalid indexes,
 * schema snapshots), each skipped when the driver does not offer it. Run it from
 * your plugin's tests:
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
    const harness = driverHarness(factory)
    describe('running SQL', () => runningTests(harness))
    describe('the migration lock', () => lockingTests(harness))
    describe('records', () => recordTests(harness))
    describe('version claims', () => claimTests(harness))
    describe('optional methods', () => optionalTests(harness))
  })
}

/** A fresh database before each test; every driver connected during it closed after it. */
function driverHarness(factory: DriverFactory): DriverHarness {
  let make: () => DatabaseDriver
  let cleanup: (() => Promise<void>) | undefined
  const open: DatabaseDriver[] = []
  beforeEach(async () => {
    const made = await factory()
    make = made.driver
    cleanup = made.cleanup
  })
  afterEach(async () => {
    for (const d of open.splice(0)) await d.close()
    await cleanup?.()
  })
  return {
    async connect() {
      const driver = make()
      await driver.connect()
      open.push(driver)
      return driver
    },
  }
}
