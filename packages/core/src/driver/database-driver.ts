import type { LockHolderInfo } from '../events/events.js'
import type { Manifest } from '../manifest/manifest.js'
import type { SchemaSnapshot } from '../snapshot/schema-snapshot.js'

/** A held migration lock. */
export interface MigrationLock {
  /** When the lock was obtained. */
  readonly acquiredAt: Date
  /** Releases the lock; safe to call twice. */
  release(): Promise<void>
}

/** One file (or the remainder of one) to run. */
export interface MigrationUnit {
  version: string
  /** Bundle path, e.g. `migrations/003_orders.sql`. */
  path: string
  /**
   * The statements, in order. A transactional unit may instead pass the whole
   * file as `script` (one round trip); the driver then ignores `statements`.
   */
  statements: readonly string[]
  script?: string
  /** False: run each statement on its own, outside any transaction. */
  transactional: boolean
}

export interface RunOptions {
  /** Skip statements before this index (resuming a non-transactional file). */
  fromStatement?: number
  /** Called after each statement of a non-transactional unit has committed. */
  onStatement?: (index: number, durationMs: number) => Promise<void>
}

/** What a history row records: one apply, rollback, baseline or repair of one version. */
export interface HistoryEntryInput {
  operation: 'apply' | 'rollback' | 'baseline' | 'repair'
  version: string
  status: 'success' | 'failed'
  manifestDigest: string | null
  checksum: string | null
  manifest: Manifest | null
  /** Who ran it (OS user or CI identity) and on which host. */
  actor: string
  host: string
  toolVersion: string
  startedAt: Date
  finishedAt: Date
  error: { code: string; message: string } | null
  /**
   * Bundle paths the run deliberately left out (seed files where the environment
   * runs no seeds). Absent or empty: every runnable file ran. Drivers store and return it.
   */
  skippedFiles?: string[]
}

/** A stored history row. */
export interface HistoryEntry extends HistoryEntryInput {
  id: number
  durationMs: number
  databaseUser: string | null
}

/** Progress of a version that runs in several steps: a finished file, or a statement of a non-transactional file. */
export interface ProgressInput {
  version: string
  manifestDigest: string
  path: string
  /** Index of the finished statement, or null when the whole file is done. */
  statement: number | null
}

export interface ProgressEntry extends ProgressInput {
  finishedAt: Date
}

/** One rollback file of an applied version, as the database keeps it. */
export interface RollbackScript {
  /** Bundle path, e.g. `rollback/003_orders.sql`. */
  path: string
  /** Lower-case hex SHA-256 of `sql`'s UTF-8 bytes, as listed in the version's manifest. */
  sha256: string
  sql: string
}

/** One line of the audit log: every operation, including refused ones. */
export interface AuditInput {
  operation: string
  outcome: 'success' | 'failure' | 'refused'
  version: string | null
  actor: string
  host: string
  details: Record<string, unknown>
}

/**
 * A database Squizzle migrates. Implementations keep their own connection(s);
 * every query from driver code is parameterized, and raw SQL text only ever
 * carries migration statements from a verified bundle.
 */
export interface DatabaseDriver {
  readonly name: string
  readonly capabilities: { transactionalDdl: boolean; advisoryLocks: boolean }
  /**
   * Opens connections; afterwards queries can run. Throws `CONNECTION_FAILED` without
   * secrets in the message, with `details.notReady` (`'starting'` or `'unresolved'`)
   * when the server is not up yet, so `connectWithRetry` waits for it; may be called
   * again after it threw.
   */
  connect(): Promise<void>
  /** Closes every connection, releasing any lock still held. */
  close(): Promise<void>
  /** Creates or upgrades the system schema; idempotent, call it while holding the lock. */
  ensureSystemSchema(): Promise<void>
  /** True when the system schema exists (reads need no lock and create nothing). */
  hasSystemSchema(): Promise<boolean>
  /**
   * Takes the database-wide migration lock, polling until `timeoutMs`; then
   * throws `LOCK_TIMEOUT` naming the holder. The lock dies with the process.
   */
  lock(opts: { timeoutMs: number; onWait?: (holder: LockHolderInfo | null, waitedMs: number) => void }): Promise<MigrationLock>
  /** Who holds the migration lock now, or null. */
  lockHolder(): Promise<LockHolderInfo | null>
  /**
   * Runs a unit. In a driver returned by `transaction`, inside that transaction;
   * otherwise a transactional unit gets a transaction of its own and a
   * non-transactional one runs statement by statement. Session settings made
   * by the unit are reset afterwards.
   */
  run(unit: MigrationUnit, opts?: RunOptions): Promise<void>
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: DatabaseDriver) => Promise<T>): Promise<T>
  /** Every history row, oldest first. Empty before the system schema exists. */
  history(): Promise<HistoryEntry[]>
  /**
   * Appends a history row. A successful apply, rollback or baseline also clears
   * the version's progress rows; a repair keeps them (see `clearProgress`).
   */
  record(entry: HistoryEntryInput): Promise<void>
  /** Progress rows of unfinished multi-step versions, oldest first. */
  progress(version: string): Promise<ProgressEntry[]>
  /** Appends a progress row. */
  recordProgress(entry: ProgressInput): Promise<void>
  /** Forgets every progress row of a version (`repair --restart`); history is untouched. */
  clearProgress(version: string): Promise<void>
  /** Appends an audit row. */
  audit(entry: AuditInput): Promise<void>
  /**
   * Keeps a version's rollback files, recorded in the same transaction as the
   * apply's success row when called on a transaction-bound driver. Saving the
   * same digest and path again is a no-op.
   */
  saveRollbackScripts(version: string, manifestDigest: string, scripts: readonly RollbackScript[]): Promise<void>
  /** The rollback files kept for the artifact `manifestDigest`, by path; empty when none were kept. */
  rollbackScripts(manifestDigest: string): Promise<RollbackScript[]>
  /**
   * Reads the live schema from the catalogs as a normalized snapshot (every user
   * object, nothing of the system schema, extensions' own objects excluded).
   * Optional: drift detection and build-time snapshots need it. Call it on the
   * connected driver, not on one bound to a transaction.
   */
  snapshotSchema?(): Promise<SchemaSnapshot>
}
