import { createHash } from 'node:crypto'
import type { DatabaseDriver, KeptFile } from '../driver/database-driver.js'
import { isSquizzleError, SquizzleError } from '../errors/squizzle-error.js'
import type { EventSink } from '../events/events.js'
import type { ManifestFile } from '../manifest/manifest.js'
import { parseSnapshot, serializeSnapshot, type SchemaSnapshot } from '../snapshot/schema-snapshot.js'
import type { HistoryState } from './history-state.js'

/**
 * Where the database keeps the schema it had just before its first version ran,
 * next to that version's rollback files: what rolling the first version back must
 * return to. (A version's own `schema/snapshot.json` is kept under its bundle path.)
 */
export const schemaBeforePath = 'schema/before.json'

/**
 * A schema snapshot as a kept file (`RecordStore.keepFiles`), under `path`.
 *
 * @example
 * ```ts
 * await tx.records.keepFiles(version, digest, [keptSnapshot(schemaBeforePath, before)])
 * ```
 */
export function keptSnapshot(path: string, snapshot: SchemaSnapshot): KeptFile {
  const bytes = serializeSnapshot(snapshot)
  return { path, sha256: createHash('sha256').update(bytes).digest('hex'), content: bytes.toString('utf8') }
}

/**
 * The snapshot the database kept at `path` for the artifact `digest`, or null. It
 * must be the file the manifest lists when `listed` is given (`schema/snapshot.json`);
 * the schema-before file is checked against the digest it was kept with.
 *
 * @example
 * ```ts
 * const expected = await readKeptSnapshot(driver, entry.manifestDigest, 'schema/snapshot.json', listedFile)
 * ```
 */
export async function readKeptSnapshot(
  driver: DatabaseDriver,
  digest: string,
  path: string,
  listed?: ManifestFile,
): Promise<SchemaSnapshot | null> {
  const kept = (await driver.records.keptFiles(digest)).find((s) => s.path === path)
  if (!kept) return null
  const bytes = Buffer.from(kept.content, 'utf8')
  const sha256 = createHash('sha256').update(bytes).digest('hex')
  const expected = listed?.sha256 ?? kept.sha256
  if (sha256 !== expected || (listed !== undefined && bytes.length !== listed.size)) {
    const message = `the schema snapshot kept in the database (${path} of ${digest}) is not the one that was recorded`
    throw new SquizzleError('DIGEST_MISMATCH', message, {
      hint:
        'squizzle.rollback_script was changed by hand. Restore it from the released artifact, ' +
        'or compare the schema by hand (drift detection lists the differences).',
      remedies: [{ operation: 'drift' }],
      details: { digest, path, expected, actual: sha256 },
    })
  }
  return parseSnapshot(bytes, `${path} kept for ${digest}`)
}

/**
 * The live schema just before the first version runs on a database where no
 * version is applied, to keep for that version's rollback; null when a version is
 * applied, the driver cannot read schemas, or an earlier attempt already ran part
 * of the version (the schema is no longer the one from before). A failed read
 * never blocks the apply: it is reported as a warning, and that rollback goes unchecked.
 *
 * @example
 * ```ts
 * const before = await schemaBeforeFirst(driver, state, '1.0.0', events)
 * ```
 */
export async function schemaBeforeFirst(
  driver: DatabaseDriver,
  state: HistoryState,
  version: string,
  events: EventSink,
): Promise<SchemaSnapshot | null> {
  if (state.applied.length > 0 || !driver.snapshotSchema) return null
  if ((await driver.records.progress(version)).length > 0) return null
  try {
    return await driver.snapshotSchema()
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err)
    const message =
      `could not read the schema before ${version}, the first version: ` + `its rollback goes unchecked (${why})`
    events({ type: 'warning', code: isSquizzleError(err) ? err.code : 'DATABASE_ERROR', version, message })
    return null
  }
}
