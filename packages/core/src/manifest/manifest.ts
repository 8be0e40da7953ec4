/**
 * The kinds of files a bundle carries: SQL in the order it runs (`rollback` never
 * runs on apply), then `schema`, the expected schema after the version
 * (`schema/snapshot.json`, never run).
 */
export type FileKind = 'drizzle' | 'migrations' | 'seed' | 'rollback' | 'schema'

/** Kinds whose files are SQL written by the project (what source folders hold). */
export type SqlKind = Exclude<FileKind, 'schema'>

/** Bundle path of the schema snapshot recorded at build (kind `schema`). */
export const snapshotPath = 'schema/snapshot.json'

/** Kinds that run on apply, in run order. */
export const applyKinds: readonly FileKind[] = ['drizzle', 'migrations', 'seed']

/** Every kind, in the order files are stored in a bundle. */
export const fileKinds: readonly FileKind[] = ['drizzle', 'migrations', 'seed', 'rollback', 'schema']

/** How much a single transaction covers when a version is applied (Atlas's `--tx-mode`). */
export type TransactionScope = 'version' | 'file'

/** One file inside a bundle: SQL, or the schema snapshot (`transaction` is then always true and means nothing). */
export interface ManifestFile {
  /** `<kind>/<relative path>`, forward slashes, e.g. `migrations/001_users.sql`. */
  path: string
  kind: FileKind
  /** Size in bytes. */
  size: number
  /** Lower-case hex SHA-256 of the file's bytes. */
  sha256: string
  /**
   * False for files that must run outside a transaction (`CREATE INDEX CONCURRENTLY`,
   * `-- squizzle:no-transaction`): they run statement by statement and resume on retry.
   */
  transaction: boolean
  /**
   * True when later files must not share this file's transaction, e.g. after
   * `ALTER TYPE … ADD VALUE`, whose new value is unusable until committed.
   */
  commitAfter?: boolean
  /** The file carried its own `BEGIN`/`COMMIT`; they are replaced by Squizzle's transaction. */
  ownTransactionControl?: boolean
}

/** The checksum over a bundle's file list; `algorithm` names the formula so it can evolve. */
export interface ManifestChecksum {
  algorithm: string
  value: string
}

/**
 * The Squizzle manifest: what a version contains. Stored as the OCI config blob
 * (`application/vnd.squizzle.manifest.v1+json`).
 */
export interface Manifest {
  formatVersion: 1
  version: string
  previousVersion: string | null
  /**
   * The image-manifest digest of `previousVersion` when this version was built
   * (what a database that applied it recorded), null for a first version. Apply
   * refuses a version whose predecessor is not what the database has. Absent in
   * bundles built before the chain existed: those are checked by version only.
   */
  previousDigest?: string | null
  /** RFC 3339 timestamp. */
  created: string
  notes?: string
  author?: string
  tools: { squizzle: string; 'drizzle-kit'?: string }
  transactionScope: TransactionScope
  /** The version cannot be rolled back (no rollback SQL, on purpose). */
  irreversible?: boolean
  files: ManifestFile[]
  checksum: ManifestChecksum
}
