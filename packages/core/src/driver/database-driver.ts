import type { LockHolderInfo } from '../events/events.js'
import type { SchemaSnapshot } from '../snapshot/schema-snapshot.js'
import type { RecordStore } from './record-store.js'

export type {
  AuditInput,
  HistoryEntry,
  HistoryEntryInput,
  KeptFile,
  ProgressEntry,
  ProgressInput,
  RecordStore,
  VersionClaim,
} from './record-store.js'

/** A held migration lock. */
export interface MigrationLock {
  /** When the lock was obtained. */
  readonly acquiredAt: Date
  /**
   * Afterwards the lock is free; calling it twice is a no-op. Throws `LOCK_LOST` when
   * the lock was no longer held (its session ended, or the unlock failed): never a silent success.
   */
  release(): Promise<void>
}

/** The statements of one file (or what remains of it), in order. */
export interface MigrationUnit {
  version: string
  /** Bundle path, e.g. `migrations/003_orders.sql`. */
  path: string
  statements: readonly string[]
}

/** A whole file as one text, which a transaction may send in one round trip. */
export interface MigrationScript {
  version: string
  path: string
  script: string
}

export interface RunOptions {
  /** Skip statements before this index (resuming a non-transactional file). */
  fromStatement?: number
  /**
   * Indices of statements before `fromStatement` that only change session settings
   * (`SET`, `RESET`, `set_config(…, false)`): run again first, in order and unreported,
   * so a resumed non-transactional file sees the session it set up.
   */
  replaySession?: readonly number[]
  /** Called before each statement, on its session; a throw stops the unit there (the statement does not run). */
  beforeStatement?: (index: number) => Promise<void>
  /**
   * Called after each statement of a non-transactional unit has committed, and after
   * each statement (piece) of a transactional unit sent as `statements` (for progress).
   */
  onStatement?: (index: number, durationMs: number) => Promise<void>
  /**
   * When it aborts, the statement running is cancelled on the server (as
   * `pg_cancel_backend` would) and `run` throws; a unit not yet started does not start.
   */
  signal?: AbortSignal
}

/** What {@link DriverTransaction.run} takes of {@link RunOptions}: progress and cancellation. */
export type TransactionRunOptions = Pick<RunOptions, 'onStatement' | 'signal'>

/** Where a `CREATE INDEX` puts its index: the table as written, and the index name when it has one. */
export interface IndexTarget {
  /** The table's schema as written, or null (resolved by the session's search_path). */
  schema: string | null
  table: string
  /** The index name, or null when PostgreSQL picks one. */
  index: string | null
}

/** An index whose build never finished (`pg_index.indisvalid` false): maintained, never used. */
export interface InvalidIndex {
  schema: string
  name: string
  table: string
}

/**
 * An open transaction of a {@link DatabaseDriver}: valid only inside the callback of
 * `transaction()`. Everything done through it commits together or not at all.
 */
export interface DriverTransaction {
  /** Squizzle's records, written as part of this transaction. */
  readonly records: RecordStore
  /**
   * Afterwards the SQL ran inside this transaction (a script in one round trip, else each
   * statement in order); a failure throws `DATABASE_ERROR` with `details.statement` (the
   * index of the failing statement) and, when the server says where, `details.position`
   * (0-based offset in that statement or script). Session settings it made end with the transaction.
   * `opts.onStatement` follows each statement sent as `statements`; an aborted `opts.signal` cancels
   * the statement running and `run` throws (the transaction then rolls back).
   */
  run(sql: MigrationUnit | MigrationScript, opts?: TransactionRunOptions): Promise<void>
  /**
   * Returns only if the lock the driver took is still granted to the session that took
   * it, as seen from inside this transaction; throws `LOCK_LOST` otherwise.
   */
  assertLockHeld(): Promise<void>
  /**
   * The live schema including this transaction's uncommitted changes, as a normalized
   * snapshot; afterwards the transaction is as it was (still open, no setting changed).
   * Optional, like `DatabaseDriver.snapshotSchema`.
   */
  snapshotSchema?(): Promise<SchemaSnapshot>
}

/**
 * A database Squizzle migrates. The driver connects, locks, runs SQL and opens
 * transactions, and stores Squizzle's rows through `records`; every rule about what
 * runs when, and what a row means, lives in the engine. Every query from driver code is
 * parameterized, and raw SQL text only ever carries migration statements from a verified bundle.
 *
 * @example
 * ```ts
 * const driver: DatabaseDriver = new PostgresDriver({ url: process.env.DATABASE_URL! })
 * await driver.connect()
 * try { await new Migrator({ storage, driver, toolVersion: '0.1.0' }).apply() } finally { await driver.close() }
 * ```
 */
export interface DatabaseDriver {
  /** Names the kind of database in messages (`postgres`). */
  readonly name: string
  /** Squizzle's records; each write is committed at once. */
  readonly records: RecordStore
  /**
   * Afterwards every other method can be called. Throws `CONNECTION_FAILED` without
   * secrets in the message, with `details.notReady` (`'starting'` or `'unresolved'`)
   * when the server is not up yet, so `connectWithRetry` waits for it; may be called
   * again after it threw.
   */
  connect(): Promise<void>
  /** Afterwards every connection is closed and any lock still held is released. */
  close(): Promise<void>
  /**
   * Takes the database-wide migration lock, polling until `timeoutMs`; then throws
   * `LOCK_TIMEOUT` naming the holder. The lock dies with the process that holds it.
   */
  lock(opts: {
    timeoutMs: number
    onWait?: (holder: LockHolderInfo | null, waitedMs: number) => void
  }): Promise<MigrationLock>
  /** Who holds the migration lock now, or null when it is free. */
  lockHolder(): Promise<LockHolderInfo | null>
  /**
   * Returns only if the lock this driver took is still granted to the session that took
   * it, as seen from the session `run` uses; throws `LOCK_LOST` otherwise.
   */
  assertLockHeld(): Promise<void>
  /**
   * Runs the statements from `opts.fromStatement` on, one at a time, outside any
   * transaction, all on one session (after replaying `opts.replaySession`); afterwards
   * each has committed on its own, and the session's settings are reset. A failure
   * throws like `DriverTransaction.run`; the statements before it stay committed. A
   * session that ends is never replaced in the middle: the unit fails with `CONNECTION_LOST`.
   */
  run(unit: MigrationUnit, opts?: RunOptions): Promise<void>
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: DriverTransaction) => Promise<T>): Promise<T>
  /**
   * Reads the live schema from the catalogs as a normalized snapshot, in one consistent
   * read: every user object, nothing of Squizzle's records, extensions' own objects
   * excluded. Optional: drift detection, build-time snapshots and the rollback and
   * baseline checks need it.
   */
  snapshotSchema?(): Promise<SchemaSnapshot>
  /**
   * Invalid indexes in the database; with `on`, only those the `CREATE INDEX` that `on`
   * describes would create, with names resolved as the session `run` uses resolves them now.
   * Optional: without it, interrupted index builds are neither repaired nor reported.
   */
  invalidIndexes?(on?: IndexTarget): Promise<InvalidIndex[]>
  /** Afterwards the index no longer exists (dropped without blocking writes, outside any transaction). */
  dropIndex?(index: InvalidIndex): Promise<void>
}
