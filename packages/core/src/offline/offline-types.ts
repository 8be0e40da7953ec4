import type { KeptFile } from '../driver/record-store.js'
import type { Manifest } from '../manifest/manifest.js'

/** A file of an offline script: run in its segment's transaction as one text, or statement by statement. */
export type OfflineFile =
  | { path: string; transactional: true; sql: string }
  | { path: string; transactional: false; statements: readonly string[] }

/** One verified version as an offline script runs it: the segments apply would run, and what apply keeps. */
export interface OfflineVersion {
  manifest: Manifest
  digest: string
  segments: readonly { transactional: boolean; files: readonly OfflineFile[] }[]
  /** The rollback files and schema snapshot the database keeps for the version. */
  kept: readonly KeptFile[]
}
