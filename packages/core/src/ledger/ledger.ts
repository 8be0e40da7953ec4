import { SquizzleError } from '../errors/squizzle-error.js'
import { compareVersions } from '../version/version.js'

/**
 * Where the ledger lives when the config does not say (`ledger` key), relative to
 * the config file's folder: next to the SQL it describes, so it is committed with it.
 */
export const defaultLedgerPath = 'db/squizzle.sum'

/** One released file: its bundle path and the SHA-256 of its bytes. */
export interface LedgerFile {
  /** Bundle path, e.g. `migrations/003_orders.sql`. */
  path: string
  /** Lower-case hex SHA-256 of the file's bytes. */
  sha256: string
}

/** One released version as the ledger records it. */
export interface LedgerVersion {
  version: string
  /** The image-manifest digest the storage gave the version (`ArtifactRef.digest`), the one apply records. */
  digest: string
  /** The version released just before it, or null for the first. */
  previousVersion: string | null
  /** The SQL files the version released, in bundle order (the schema snapshot is not listed). */
  files: LedgerFile[]
}

/**
 * The release ledger: every released version, oldest first, with the files each
 * one released. Committed with the SQL, it is what `build` decides "new" from.
 */
export interface Ledger {
  versions: LedgerVersion[]
}

/** A ledger with no versions: what a project starts with. */
export const emptyLedger: Ledger = { versions: [] }

/**
 * The newest released version, or null when nothing was released.
 *
 * @example
 * ```ts
 * latestRelease(ledger)?.digest // 'sha256:…' of the version the next one builds on
 * ```
 */
export function latestRelease(ledger: Ledger): LedgerVersion | null {
  return ledger.versions.at(-1) ?? null
}

/**
 * Every released file by bundle path, with the version that released it.
 *
 * @example
 * ```ts
 * releasedFiles(ledger).get('migrations/001_users.sql') // { sha256: '…', version: '1.0.0' }
 * ```
 */
export function releasedFiles(ledger: Ledger): Map<string, { sha256: string; version: string }> {
  const out = new Map<string, { sha256: string; version: string }>()
  for (const v of ledger.versions) for (const f of v.files) out.set(f.path, { sha256: f.sha256, version: v.version })
  return out
}

/**
 * The ledger with `entry` appended as the newest version. Refuses (`USAGE`) a
 * version that is not above the newest one or that does not name it as previous,
 * so a ledger only ever grows in order.
 *
 * @example
 * ```ts
 * const next = appendRelease(ledger, { version: '1.2.0', digest: ref.digest, previousVersion: '1.1.0', files })
 * // throws for 1.0.5, or for a previousVersion other than the ledger's newest
 * ```
 */
export function appendRelease(ledger: Ledger, entry: LedgerVersion): Ledger {
  const latest = latestRelease(ledger)
  if (latest !== null && compareVersions(entry.version, latest.version) <= 0) {
    const message = `version ${entry.version} is not above the ledger's newest version ${latest.version}`
    throw new SquizzleError('USAGE', message, {
      hint: `Released versions only grow: choose a version above ${latest.version}.`,
    })
  }
  if (entry.previousVersion !== (latest?.version ?? null)) {
    const named = entry.previousVersion ?? 'no version'
    const end = latest?.version ?? 'no version'
    const message = `version ${entry.version} names ${named} as previous, but the ledger ends at ${end}`
    throw new SquizzleError('USAGE', message, { hint: 'Append versions in the order they were released.' })
  }
  return { versions: [...ledger.versions, entry] }
}
