import type { OfflineVersion } from '@squizzle/core'

export type { OfflineFile, OfflineVersion } from '@squizzle/core'

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
