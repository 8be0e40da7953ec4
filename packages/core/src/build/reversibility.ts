import { SquizzleError } from '../errors/squizzle-error.js'
import type { ManifestFile } from '../manifest/manifest.js'
import { migrationPathsFor, rollbackPathFor } from '../manifest/rollback-pairing.js'

/** What `checkRollbackPairing` needs to know about the version being built. */
export interface PairingInput {
  version: string
  /** The files new in this version. */
  files: readonly ManifestFile[]
  /** The version is built irreversible on purpose (`--irreversible`). */
  irreversible: boolean
  /** Every migration needs its rollback file (config `rollback.required`, default true). */
  required: boolean
  /** The earlier version that released the file at `path`, or undefined (see `releasedIn` in build-version). */
  releasedIn: (path: string) => string | undefined
}

/** The verdict: whether the version is irreversible, and which migrations go without rollback file. */
export interface PairingResult {
  irreversible: boolean
  /** Migrations without a rollback file, allowed because `required` is false. */
  unpaired: string[]
}

/**
 * Checks that every rollback file of a new version pairs by name with one migration
 * of the same version (`rollback/<rel>` with `migrations/<rel>` or `drizzle/<rel>`),
 * and that every migration has one unless the version is irreversible. Refuses a
 * rollback file whose migration an earlier version released (`ROLLBACK_LATE`), one
 * that pairs with nothing or with two files (`ROLLBACK_ORPHANED`), rollback SQL in an
 * irreversible version (`USAGE`) and, listing them all, migrations without rollback
 * file (`ROLLBACK_MISSING`). With `required: false`, a version without any rollback
 * file is irreversible and one with some may leave migrations unpaired.
 *
 * @example
 * ```ts
 * const { irreversible } = checkRollbackPairing({
 *   version: '1.1.0', files, irreversible: false, required: true, releasedIn: (path) => released.get(path)?.version,
 * })
 * ```
 */
export function checkRollbackPairing(input: PairingInput): PairingResult {
  const rollback = input.files.filter((f) => f.kind === 'rollback')
  refuseLate(input, rollback)
  refuseOrphans(input, rollback)
  if (input.irreversible && rollback.length > 0) {
    const message = `version ${input.version} is marked irreversible but carries rollback SQL (${rollback[0]!.path})`
    throw new SquizzleError('USAGE', message, {
      hint:
        'Build it without marking it irreversible to keep the rollback SQL, or move the rollback files out of ' +
        'this version.',
      details: { version: input.version, rollback: rollback.map((f) => f.path) },
    })
  }
  const paths = new Set(rollback.map((f) => f.path))
  const unpaired = input.files.filter((f) => {
    const wanted = rollbackPathFor(f)
    return wanted !== null && !paths.has(wanted)
  })
  if (input.irreversible || unpaired.length === 0) return { irreversible: input.irreversible, unpaired: [] }
  if (!input.required) return { irreversible: rollback.length === 0, unpaired: unpaired.map((f) => f.path) }
  throw missingRollback(input, unpaired)
}

function refuseLate(input: PairingInput, rollback: readonly ManifestFile[]): void {
  const late = rollback.flatMap((f) => {
    const released = migrationPathsFor(f.path).flatMap((migration) => {
      const version = input.releasedIn(migration)
      return version === undefined ? [] : [{ path: f.path, migration, version }]
    })
    return released.slice(0, 1)
  })
  if (late.length === 0) return
  const named = late.map((l) => `${l.path} (its migration ${l.migration} was released in ${l.version})`).join(', ')
  const message = `version ${input.version} carries rollback SQL for migrations of earlier versions: ${named}`
  throw new SquizzleError('ROLLBACK_LATE', message, {
    hint:
      'A rollback file ships with its migration and cannot be added to a released version: ' +
      `rolling back ${input.version} would undo ${late[0]!.version}'s change too. ` +
      `Remove ${late.map((l) => l.path).join(', ')}; to undo an earlier change, ` +
      'write a new migration that reverts it, with its own rollback file.',
    details: { version: input.version, late },
  })
}

function refuseOrphans(input: PairingInput, rollback: readonly ManifestFile[]): void {
  const migrations = new Set(input.files.filter((f) => rollbackPathFor(f) !== null).map((f) => f.path))
  const orphans = rollback.flatMap((f) => {
    const matches = migrationPathsFor(f.path).filter((p) => migrations.has(p))
    return matches.length === 1 ? [] : [{ path: f.path, matches }]
  })
  if (orphans.length === 0) return
  const why = (o: { matches: string[] }) =>
    o.matches.length === 0 ? 'no migration of that name' : `pairs with both ${o.matches.join(' and ')}`
  const named = orphans.map((o) => `${o.path} (${why(o)})`).join(', ')
  const message = `version ${input.version} has rollback files that pair with no single migration: ${named}`
  throw new SquizzleError('ROLLBACK_ORPHANED', message, {
    hint:
      'A rollback file pairs by name with a migration of the same version: rollback/<name> undoes migrations/<name> ' +
      'or drizzle/<name>. Rename it after its migration (or rename one of two migrations of the same name), ' +
      'or remove it; seed files need no rollback file.',
    details: { version: input.version, orphans },
  })
}

function missingRollback(input: PairingInput, unpaired: readonly ManifestFile[]): SquizzleError {
  const missing = unpaired.map((f) => {
    const rollback = rollbackPathFor(f)!
    const releasedIn = input.releasedIn(rollback)
    return { migration: f.path, rollback, ...(releasedIn === undefined ? {} : { releasedIn }) }
  })
  const named = missing.map((m) => {
    const taken = m.releasedIn ? `, a name ${m.releasedIn} already released: rename the migration` : ''
    return `${m.migration} (needs ${m.rollback}${taken})`
  })
  const count = `${missing.length} migration${missing.length === 1 ? '' : 's'}`
  const message = `version ${input.version} has ${count} without a rollback file: ${named.join(', ')}`
  return new SquizzleError('ROLLBACK_MISSING', message, {
    hint:
      'Add each named file under your rollback folder, undoing its migration; or build the version marked ' +
      'irreversible to record that it cannot be undone. A project that never rolls back sets ' +
      '`rollback: { required: false }` in its config.',
    remedies: [{ operation: 'build', args: [input.version], options: { irreversible: true } }],
    details: { version: input.version, missing },
  })
}
