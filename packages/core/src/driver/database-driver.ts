import type { LockHolderInfo } from '../events/events.js'
import type { Manifest } from '../manifest/manifest.js'
import type { SchemaSnapshot } from '../snapshot/schema-snapshot.js'

/** A held migration lock. */
export interface MigrationLock {
  /** When the lock was obtained. */
  readonly acquiredAt: Date
  /**
   * Releases the lock; safe to call twice. Throws `LOCK_LOST` when it was no longer
   * held (its session ended, or the unlock failed): never a silent success.
   */
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
  /**
   * Indices of statements before `fromStatement` that only change session settings
   * (`SET`, `RESET`, `set_config(…, false)`): run again first, in order and unreported,
   * so a resumed non-transactional file sees the session it set up.
   */
  replaySession?: readonly number[]
  /** Called before each statement of a non-transactional unit, on its session; a throw stops the unit there. */
  beforeStatement?: (index: number) => Promise<void>
  /** Called after each statement of a non-transactional unit has committed. */
  onStatement?: (index: number, durationMs: number) => Promise<void>
}

/** A version marked as taken: applied (or baselined), or claimed by a multi-step run. */
export interface VersionClaim {
  version: string
  manifestDigest: string
  operation: 'apply' | 'baseline'
}

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

/**
 * One file the database keeps for an applied version's rollback: a rollback file,
 * the version's schema snapshot, or the schema from before the first version.
 */
export interface RollbackScript {
  /** Bundle path, e.g. `rollback/003_orders.sql`, `schema/snapshot.json`; or `schema/before.json`. */
  path: string
  /** Lower-case hex SHA-256 of `sql`'s UTF-8 bytes, as listed in the version's manifest (if it lists the file). */
  sha256: string
  /** The file's text: SQL, or a snapshot's JSON. */
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
   * Returns only if the lock this driver took is still granted to the session that
   * took it, as seen from this driver's own connection (inside its transaction when
   * transaction-bound); throws `LOCK_LOST` otherwise.
   */
  assertLockHeld(): Promise<void>
  /**
   * Afterwards no other run can mark the version until this mark is released: bound
   * to a transaction, the version is marked applied as part of it (another run's
   * uncommitted mark is waited for, then refused); otherwise a claim owned by this
   * session is committed at once (a dead session's claim is taken over). Throws
   * `VERSION_CLAIMED` when the version is applied or claimed by another live session.
   */
  claimVersion(claim: VersionClaim): Promise<void>
  /**
   * Afterwards the version's applied mark (as part of this transaction, for a rollback)
   * or this session's claim is gone, so it can be claimed again; throws `VERSION_CLAIMED`
   * when there was neither (another run removed it).
   */
  releaseVersion(version: string): Promise<void>
  /**
   * Invalid indexes in the database; with `on`, only those the `CREATE INDEX` that
   * `on` describes would create, with names resolved as this session resolves them now.
   * Optional: without it, interrupted index builds are neither repaired nor reported.
   */
  invalidIndexes?(on?: IndexTarget): Promise<InvalidIndex[]>
  /** Drops the index with `DROP INDEX CONCURRENTLY`, outside any transaction; afterwards it no longer exists. */
  dropIndex?(index: InvalidIndex): Promise<void>
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
   * Keeps what a later rollback needs of a version: its rollback files, and the schema
   * snapshots a rollback is checked against (`schema/snapshot.json`, `schema/before.json`).
   * On a transaction-bound driver, kept only if that transaction commits. Saving the
   * same digest and path again is a no-op: the first bytes kept stay.
   */
  saveRollbackScripts(version: string, manifestDigest: string, scripts: readonly RollbackScript[]): Promise<void>
  /** Every file kept for the artifact `manifestDigest` (rollback files and snapshots), by path; empty when none were kept. */
  rollbackScripts(manifestDigest: string): Promise<RollbackScript[]>
  /**
   * Reads the live schema from the catalogs as a normalized snapshot (every user
   * object, nothing of the system schema, extensions' own objects excluded).
   * Optional: drift detection, build-time snapshots and the rollback and baseline
   * checks need it. On a transaction-bound driver the snapshot includes that
   * transaction's uncommitted changes, and the transaction is left as it was
   * (no session setting changed, still open); otherwise it is one consistent read.
   */
  snapshotSchema?(): Promise<SchemaSnapshot>
}
