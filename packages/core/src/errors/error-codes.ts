/**
 * Every error Squizzle throws carries one of these codes. Codes are stable:
 * scripts and the CLI branch on them, never on message text.
 */
export type SquizzleErrorCode =
  // usage and configuration
  | 'CONFIG_INVALID'
  | 'CONFIG_NOT_FOUND'
  | 'USAGE'
  | 'VERSION_INVALID'
  | 'STORAGE_URL_INVALID'
  | 'STORAGE_NOT_FOUND'
  // build
  | 'VERSION_NOT_GREATER'
  | 'VERSION_EXISTS'
  | 'RELEASED_FILE_MODIFIED'
  | 'NOTHING_TO_BUILD'
  | 'MANIFEST_TOO_LARGE'
  | 'SQL_PARSE_ERROR'
  | 'SQL_NEEDS_NO_TRANSACTION'
  | 'SQL_UNSUPPORTED'
  | 'ROLLBACK_MISSING'
  | 'ROLLBACK_LATE'
  | 'ROLLBACK_ORPHANED'
  | 'LINT_FAILED'
  | 'LINT_UNAVAILABLE'
  | 'DRIZZLE_KIT_MISSING'
  | 'DRIZZLE_KIT_UNSUPPORTED'
  | 'DRIZZLE_KIT_FAILED'
  | 'CONSOLE_MISSING'
  | 'REPLAY_FAILED'
  | 'ROLLBACK_CHECK_FAILED'
  // the release ledger (db/squizzle.sum)
  | 'LEDGER_MISSING'
  | 'LEDGER_CONFLICT'
  | 'LEDGER_INCOMPLETE'
  | 'RELEASED_FILE_MISSING'
  | 'LEDGER_INVALID'
  | 'LEDGER_MISMATCH'
  // integrity: the bytes are not what they claim to be
  | 'MANIFEST_INVALID'
  | 'DIGEST_MISMATCH'
  | 'CHECKSUM_MISMATCH'
  | 'BUNDLE_UNSAFE'
  | 'BUNDLE_LIMIT_EXCEEDED'
  | 'BUNDLE_CORRUPT'
  | 'TAMPERED'
  | 'IMMUTABLE_VERSION'
  | 'SNAPSHOT_INVALID'
  | 'UNCHAINED_VERSION'
  | 'STORAGE_UNSAFE'
  | 'PINNED_DIGEST_MISMATCH'
  | 'ARCHIVE_UNSAFE'
  // signatures and trust policy
  | 'SIGNATURE_MISSING'
  | 'SIGNATURE_INVALID'
  | 'POLICY_VIOLATION'
  | 'SIGNING_FAILED'
  // storage
  | 'VERSION_NOT_FOUND'
  | 'STORAGE_ERROR'
  | 'STORAGE_UNSUPPORTED'
  | 'REGISTRY_UNAUTHORIZED'
  | 'REGISTRY_UNAVAILABLE'
  | 'REGISTRY_TIMEOUT'
  // planning and running
  | 'OUT_OF_ORDER'
  | 'TARGET_NOT_FOUND'
  | 'MIGRATION_FAILED'
  | 'RESUME_MISMATCH'
  | 'ROLLBACK_FAILED'
  | 'ROLLBACK_IRREVERSIBLE'
  | 'ROLLBACK_UNAVAILABLE'
  | 'NOTHING_TO_ROLL_BACK'
  | 'ROLLBACK_INCOMPLETE'
  | 'HISTORY_NOT_EMPTY'
  | 'NOTHING_TO_REPAIR'
  | 'LOCK_TIMEOUT'
  | 'LOCK_UNSAFE'
  | 'LOCK_LOST'
  | 'VERSION_CLAIMED'
  | 'INDEX_INVALID'
  | 'CANCELLED'
  | 'DATABASE_ERROR'
  | 'CONNECTION_FAILED'
  | 'CONNECTION_LOST'
  | 'PORT_IN_USE'
  // fleets
  | 'FLEET_TARGET_INVALID'
  | 'FLEET_STAGE_INVALID'
  | 'FLEET_TARGETS_UNAVAILABLE'
  // schema snapshots and drift
  | 'SNAPSHOT_UNSUPPORTED'
  | 'SNAPSHOT_MISSING'
  | 'BASELINE_MISMATCH'
  // plugins (storage, driver, signer) named in the config
  | 'PLUGIN_NOT_FOUND'
  | 'PLUGIN_NO_EXPORT'
  | 'PLUGIN_INVALID'
  | 'PLUGIN_KIND_MISMATCH'
  | 'PLUGIN_API_MISMATCH'
  | 'PLUGIN_OPTIONS_INVALID'
  | 'PLUGIN_SCHEME_CONFLICT'
  | 'PLUGIN_FAILED'

/** The class of failure a code belongs to; the CLI maps each to an exit code. */
export type ErrorCategory = 'usage' | 'failure' | 'integrity' | 'signature' | 'lock' | 'cancelled'

const categories: Record<SquizzleErrorCode, ErrorCategory> = {
  CONFIG_INVALID: 'usage',
  CONFIG_NOT_FOUND: 'usage',
  USAGE: 'usage',
  VERSION_INVALID: 'usage',
  STORAGE_URL_INVALID: 'usage',
  STORAGE_NOT_FOUND: 'usage',
  VERSION_NOT_GREATER: 'failure',
  VERSION_EXISTS: 'failure',
  RELEASED_FILE_MODIFIED: 'failure',
  NOTHING_TO_BUILD: 'failure',
  MANIFEST_TOO_LARGE: 'failure',
  SQL_PARSE_ERROR: 'failure',
  SQL_NEEDS_NO_TRANSACTION: 'failure',
  SQL_UNSUPPORTED: 'failure',
  ROLLBACK_MISSING: 'failure',
  ROLLBACK_LATE: 'failure',
  ROLLBACK_ORPHANED: 'failure',
  LINT_FAILED: 'failure',
  LINT_UNAVAILABLE: 'failure',
  DRIZZLE_KIT_MISSING: 'failure',
  DRIZZLE_KIT_UNSUPPORTED: 'failure',
  DRIZZLE_KIT_FAILED: 'failure',
  CONSOLE_MISSING: 'failure',
  REPLAY_FAILED: 'failure',
  ROLLBACK_CHECK_FAILED: 'failure',
  LEDGER_MISSING: 'failure',
  LEDGER_CONFLICT: 'failure',
  LEDGER_INCOMPLETE: 'failure',
  RELEASED_FILE_MISSING: 'failure',
  LEDGER_INVALID: 'integrity',
  LEDGER_MISMATCH: 'integrity',
  MANIFEST_INVALID: 'integrity',
  DIGEST_MISMATCH: 'integrity',
  CHECKSUM_MISMATCH: 'integrity',
  BUNDLE_UNSAFE: 'integrity',
  BUNDLE_LIMIT_EXCEEDED: 'integrity',
  BUNDLE_CORRUPT: 'integrity',
  TAMPERED: 'integrity',
  IMMUTABLE_VERSION: 'integrity',
  SNAPSHOT_INVALID: 'integrity',
  UNCHAINED_VERSION: 'integrity',
  /** A storage holds something other than content where content belongs (a FIFO, a device, a directory). */
  STORAGE_UNSAFE: 'integrity',
  PINNED_DIGEST_MISMATCH: 'integrity',
  ARCHIVE_UNSAFE: 'integrity',
  SIGNATURE_MISSING: 'signature',
  SIGNATURE_INVALID: 'signature',
  POLICY_VIOLATION: 'signature',
  SIGNING_FAILED: 'failure',
  VERSION_NOT_FOUND: 'failure',
  STORAGE_ERROR: 'failure',
  STORAGE_UNSUPPORTED: 'failure',
  REGISTRY_UNAUTHORIZED: 'failure',
  REGISTRY_UNAVAILABLE: 'failure',
  /** The registry stopped sending (a stalled response or body) for longer than the configured timeout. */
  REGISTRY_TIMEOUT: 'failure',
  OUT_OF_ORDER: 'failure',
  TARGET_NOT_FOUND: 'failure',
  MIGRATION_FAILED: 'failure',
  RESUME_MISMATCH: 'integrity',
  ROLLBACK_FAILED: 'failure',
  ROLLBACK_IRREVERSIBLE: 'failure',
  ROLLBACK_UNAVAILABLE: 'failure',
  NOTHING_TO_ROLL_BACK: 'failure',
  // The rollback SQL ran but the schema is not the one of the version below.
  ROLLBACK_INCOMPLETE: 'failure',
  HISTORY_NOT_EMPTY: 'failure',
  NOTHING_TO_REPAIR: 'failure',
  LOCK_TIMEOUT: 'lock',
  LOCK_UNSAFE: 'failure',
  // The lock vanished, or another migrator got to the version first: nothing of the
  // version was committed by this run, and running again is safe (exit 5, like a timeout).
  LOCK_LOST: 'lock',
  VERSION_CLAIMED: 'lock',
  INDEX_INVALID: 'failure',
  // Stopped on request (Ctrl-C, an AbortSignal) at a safe point; the error says what the database holds.
  CANCELLED: 'cancelled',
  DATABASE_ERROR: 'failure',
  CONNECTION_FAILED: 'failure',
  CONNECTION_LOST: 'failure',
  PORT_IN_USE: 'failure',
  // A fleet's target list or stages are not usable as written (exit 2, like any config mistake).
  FLEET_TARGET_INVALID: 'usage',
  FLEET_STAGE_INVALID: 'usage',
  // The target list (file, command or control-database query) could not be read.
  FLEET_TARGETS_UNAVAILABLE: 'failure',
  SNAPSHOT_UNSUPPORTED: 'failure',
  SNAPSHOT_MISSING: 'failure',
  // The live schema is not what the version to baseline at recorded: like `drift --check`, exit 3.
  BASELINE_MISMATCH: 'integrity',
  // A plugin the config names cannot be used: exit 2, like any other configuration mistake.
  PLUGIN_NOT_FOUND: 'usage',
  PLUGIN_NO_EXPORT: 'usage',
  PLUGIN_INVALID: 'usage',
  PLUGIN_KIND_MISMATCH: 'usage',
  PLUGIN_API_MISMATCH: 'usage',
  PLUGIN_OPTIONS_INVALID: 'usage',
  PLUGIN_SCHEME_CONFLICT: 'usage',
  // The plugin's own create() failed with something other than a SquizzleError.
  PLUGIN_FAILED: 'failure',
}

/**
 * The category of a core error code (undefined for a code core does not define,
 * e.g. a plugin's: its errors carry their own `category`).
 *
 * @example
 * ```ts
 * errorCategory('DIGEST_MISMATCH') // 'integrity'
 * ```
 */
export function errorCategory(code: SquizzleErrorCode): ErrorCategory
export function errorCategory(code: string): ErrorCategory | undefined
export function errorCategory(code: string): ErrorCategory | undefined {
  return Object.hasOwn(categories, code) ? categories[code as SquizzleErrorCode] : undefined
}

/** All known codes, for documentation and exhaustive checks. */
export const errorCodes = Object.keys(categories) as SquizzleErrorCode[]
