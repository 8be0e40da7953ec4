import type { Manifest, RollbackScript } from '@squizzle/core'

/** A file of an offline script: run in its segment's transaction as one text, or statement by statement. */
export type OfflineFile =
  | { path: string; transactional: true; sql: string }
  | { path: string; transactional: false; statements: readonly string[] }

/** One verified version as the offline script runs it: the segments apply would run, and what apply keeps. */
export interface OfflineVersion {
  manifest: Manifest
  digest: string
  segments: readonly { transactional: boolean; files: readonly OfflineFile[] }[]
  /** The rollback files and schema snapshot the database keeps for the version (`squizzle.rollback_script`). */
  kept: readonly RollbackScript[]
}

/** Everything an offline script is made of. */
export interface OfflineScriptInput {
  /** The version the database must be at (and the digest it applied), or null for one with none. */
  from: { version: string; digest: string } | null
  /** The versions to apply, oldest first, every byte verified. */
  versions: readonly OfflineVersion[]
  /** Every stored version above `from`: none of them may be applied already. */
  above: readonly string[]
  /** The system schema files (`systemSchemaFiles()`), created or brought up to date first. */
  systemFiles: readonly { name: string; sql: string; sha256: string }[]
  toolVersion: string
  /** Where the versions came from, for the header (a storage name, no secrets). */
  source: string
  /** When it was rendered, for the header. */
  renderedAt: Date
}
