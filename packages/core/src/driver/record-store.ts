import type { Manifest } from '../manifest/manifest.js'

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
   * runs no seeds). Absent or empty: every runnable file ran. Stores keep and return it.
   */
  skippedFiles?: string[]
}

/**
 * A stored history row as `history()` reads it: everything the row records except its
 * manifest, which only rollback and repair need (`historyManifest(id)`), so reading a
 * long history stays cheap. The manifest's digest is here: checks compare digests.
 */
export interface HistoryEntry extends Omit<HistoryEntryInput, 'manifest'> {
  /** Increases with every row: rows sort by it in the order they were added. */
  id: number
  durationMs: number
  /** The database role that wrote the row, when the store knows it. */
  databaseUser: string | null
  /** The release notes of the row's recorded manifest; null when it has none (or no manifest). */
  notes: string | null
  /** Only paths the row's recorded manifest lists (absent or empty: none). */
  skippedFiles?: string[]
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

/** One line of the audit log: every operation, including refused ones. */
export interface AuditInput {
  operation: string
  outcome: 'success' | 'failure' | 'refused'
  version: string | null
  actor: string
  host: string
  details: Record<string, unknown>
}

/** A version marked as taken: applied (or baselined), or claimed by a multi-step run. */
export interface VersionClaim {
  version: string
  manifestDigest: string
  operation: 'apply' | 'baseline'
}

/**
 * One file the database keeps for an applied version's rollback: a rollback file,
 * the version's schema snapshot, or the schema from before the first version.
 */
export interface KeptFile {
  /** Bundle path, e.g. `rollback/003_orders.sql`, `schema/snapshot.json`; or `schema/before.json`. */
  path: string
  /** Lower-case hex SHA-256 of `content`'s UTF-8 bytes, as listed in the version's manifest (if it lists the file). */
  sha256: string
  /** The file's text: SQL, or a snapshot's JSON. */
  content: string
}

/**
 * Squizzle's own bookkeeping in the database: plain rows the engine writes and reads
 * back. The store holds no rules: what a row means (a success ends a run's progress, a
 * repair keeps it) is decided by the engine. `DatabaseDriver.records` writes each row at
 * once; `DriverTransaction.records` writes it as part of that transaction, so it is kept
 * only if the transaction commits, and reads see the transaction's own writes. Every write
 * is parameterized: no value is ever spliced into SQL text.
 */
export interface RecordStore {
  /**
   * Afterwards every other method can be called; creating or upgrading the tables is idempotent.
   * Called under the lock.
   */
  ensureSchema(): Promise<void>
  /**
   * Every history row without its manifest, oldest first (by `id`), in one read; empty when
   * nothing was ever recorded, even before `ensureSchema`.
   */
  history(): Promise<HistoryEntry[]>
  /**
   * The manifest recorded with history row `id`, validated (`MANIFEST_INVALID` when it is not
   * a manifest); null when the row recorded none or there is no such row.
   */
  historyManifest(id: number): Promise<Manifest | null>
  /**
   * Afterwards `history()` ends with this row (an `id` above every earlier one); secrets in `error.message`
   * are hidden.
   */
  addHistory(entry: HistoryEntryInput): Promise<void>
  /** The version's progress rows, oldest first; empty when there are none. */
  progress(version: string): Promise<ProgressEntry[]>
  /** Afterwards `progress(entry.version)` ends with this row. */
  addProgress(entry: ProgressInput): Promise<void>
  /** Afterwards `progress(version)` is empty; history is untouched. */
  clearProgress(version: string): Promise<void>
  /** Appends a row to the audit log (never read back by the engine); secrets in `details` are hidden. */
  addAudit(entry: AuditInput): Promise<void>
  /**
   * Afterwards no other run can claim the version until this mark is released. On a
   * transaction's store, the version is marked applied as part of it: another run's
   * uncommitted mark of the same version is waited for, then refused. Outside a
   * transaction, a claim owned by this connection's session is committed at once (a
   * claim of a session that no longer exists is taken over; claiming again is a no-op).
   * Throws `VERSION_CLAIMED` when the version is applied, or claimed by another live session.
   */
  claimVersion(claim: VersionClaim): Promise<void>
  /**
   * Afterwards the version's applied mark (on a transaction's store: as part of it) or
   * this session's claim on it is gone, so it can be claimed again. Throws
   * `VERSION_CLAIMED` when there was neither (another run removed it).
   */
  releaseVersion(version: string): Promise<void>
  /**
   * Afterwards `keptFiles(manifestDigest)` includes these files. Keeping a digest and
   * path again is a no-op: the first content kept stays (it is fixed by the digest).
   */
  keepFiles(version: string, manifestDigest: string, files: readonly KeptFile[]): Promise<void>
  /** The files kept for the artifact `manifestDigest`, sorted by path; empty when none were kept. */
  keptFiles(manifestDigest: string): Promise<KeptFile[]>
}
