import type { BundleLimits } from '../bundle/limits.js'
import type { DatabaseDriver, MigrationLock } from '../driver/database-driver.js'
import { isSquizzleError, type SquizzleError } from '../errors/squizzle-error.js'
import type { EventSink } from '../events/events.js'
import type { ArtifactStorage } from '../storage/artifact-storage.js'
import type { Actor } from './actor.js'
import { deriveState, type HistoryState } from './history-state.js'

/** What an engine operation needs; the Migrator builds it from its options. */
export interface OperationContext {
  driver: DatabaseDriver
  storage: ArtifactStorage
  events: EventSink
  actor: Actor
  toolVersion: string
  lockTimeoutMs: number
  limits?: Partial<BundleLimits> | undefined
}

// Refusals are audited as such: the operation never started because what it was asked to do is unsafe.
const refusedCodes = new Set([
  'OUT_OF_ORDER',
  'ROLLBACK_IRREVERSIBLE',
  'ROLLBACK_UNAVAILABLE',
  'HISTORY_NOT_EMPTY',
  'SNAPSHOT_MISSING',
  'SNAPSHOT_UNSUPPORTED',
])

/**
 * Runs `fn`; integrity, signature and policy refusals are audited as `refused`,
 * and with `outcome: 'failure'` every other error is audited as a failure.
 *
 * @example
 * ```ts
 * await guarded(ctx, 'rollback', '1.2.0', () => loadRollback(entry, driver, storage))
 * ```
 */
export async function guarded<T>(
  ctx: OperationContext,
  operation: string,
  version: string | null,
  fn: () => Promise<T>,
  outcome: 'refused' | 'failure' = 'refused',
): Promise<T> {
  try {
    return await fn()
  } catch (err) {
    const refused =
      isSquizzleError(err) &&
      (err.category === 'integrity' || err.category === 'signature' || refusedCodes.has(err.code))
    if (refused || outcome === 'failure') {
      await ctx.driver.records
        .addAudit({
          operation,
          outcome: refused ? 'refused' : 'failure',
          version,
          actor: ctx.actor.user,
          host: ctx.actor.host,
          details: isSquizzleError(err) ? { code: err.code, message: err.message } : { message: String(err) },
        })
        .catch((auditError: unknown) => {
          // The failure is the news (a lost connection usually takes the audit with it): say so, never replace it.
          const message = `the ${operation} failure could not be audited: ${messageOf(auditError)}`
          ctx.events({ type: 'warning', code: 'AUDIT_FAILED', message, ...(version ? { version } : {}) })
        })
    }
    throw err
  }
}

/**
 * Audits `error` as refused and throws it.
 *
 * @example
 * ```ts
 * await refuse(ctx, 'baseline', '1.0.0', new SquizzleError('HISTORY_NOT_EMPTY', '…'))
 * ```
 */
export async function refuse(
  ctx: OperationContext,
  operation: string,
  version: string | null,
  error: SquizzleError,
): Promise<never> {
  return guarded(ctx, operation, version, () => Promise.reject(error))
}

/**
 * Takes the database-wide lock, brings the system schema up to date, runs `fn`
 * with the history as it is under the lock, and always releases the lock. A lock
 * found lost at release is a `warning` event, not a failure: every commit made
 * under it proved it held first.
 *
 * @example
 * ```ts
 * await underLock(ctx, async (state) => state.current)
 * ```
 */
export async function underLock<T>(ctx: OperationContext, fn: (state: HistoryState) => Promise<T>): Promise<T> {
  const lock = await ctx.driver.lock({
    timeoutMs: ctx.lockTimeoutMs,
    onWait: (holder, waitedMs) => ctx.events({ type: 'lock.waiting', holder, waitedMs }),
  })
  ctx.events({ type: 'lock.acquired', waitedMs: Date.now() - lock.acquiredAt.getTime() })
  try {
    await ctx.driver.records.ensureSchema()
    // Read under the lock: another process may have changed history while we waited.
    return await fn(await readState(ctx.driver))
  } finally {
    await releaseLock(ctx, lock)
  }
}

async function releaseLock(ctx: OperationContext, lock: MigrationLock): Promise<void> {
  try {
    await lock.release()
    ctx.events({ type: 'lock.released' })
  } catch (err) {
    const code = isSquizzleError(err) ? err.code : 'LOCK_LOST'
    ctx.events({ type: 'warning', code, message: `releasing the migration lock failed: ${messageOf(err)}` })
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

/**
 * The history state; empty when nothing was ever recorded (creates nothing).
 *
 * @example
 * ```ts
 * const { current } = await readState(driver)
 * ```
 */
export async function readState(driver: DatabaseDriver): Promise<HistoryState> {
  return deriveState(await driver.records.history())
}
