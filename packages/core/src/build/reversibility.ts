import { SquizzleError } from '../errors/squizzle-error.js'
import { applyKinds, type ManifestFile } from '../manifest/manifest.js'

/**
 * Checks that a new version can be undone or says on purpose that it cannot:
 * a version whose files change the database carries rollback SQL
 * (`rollback/…`), unless it is marked irreversible; a version marked
 * irreversible carries none (rollback would refuse to run it anyway).
 *
 * @example
 * ```ts
 * assertReversibility(files, options.irreversible === true)
 * ```
 */
export function assertReversibility(files: readonly ManifestFile[], irreversible: boolean, version: string): void {
  const rollback = files.filter((f) => f.kind === 'rollback')
  if (irreversible && rollback.length > 0) {
    throw new SquizzleError('USAGE', `version ${version} is marked irreversible but carries rollback SQL (${rollback[0]!.path})`, {
      hint: 'Drop --irreversible to keep the rollback SQL, or move the rollback files out of this version.',
      details: { version, rollback: rollback.map((f) => f.path) },
    })
  }
  if (!irreversible && rollback.length === 0 && files.some((f) => applyKinds.includes(f.kind))) {
    throw new SquizzleError('ROLLBACK_MISSING', `version ${version} has no rollback SQL`, {
      hint: 'Add a file under your rollback folder (e.g. db/rollback/003_orders.sql) that undoes this version, or build with --irreversible to record that it cannot be undone.',
      details: { version },
    })
  }
}
