import { canonicalJson } from '../manifest/canonical-json.js'
import { SquizzleError } from '../errors/squizzle-error.js'
import { validateSnapshotShape } from '../schema/validators/validate-snapshot-shape.js'
import { schemaCheck } from '../schema/schema-check.js'
import { schemaObjectKinds, type SchemaObject, type SchemaSnapshot } from './snapshot-schema.js'

export {
  schemaSnapshotFormat,
  schemaObjectKinds,
  schemaSnapshotSchema,
  type SchemaObjectKind,
  type SchemaValue,
  type SchemaObject,
  type SchemaSnapshot,
} from './snapshot-schema.js'

const checkShape = schemaCheck<SchemaSnapshot>(
  () => validateSnapshotShape,
  'SNAPSHOT_INVALID',
  'The schema snapshot is damaged or was written by a newer Squizzle. Upgrade, or rebuild the version from source.',
)

/**
 * Sorts a snapshot's objects into their canonical order (kind, then name) and
 * refuses duplicates. Drivers call it before returning a snapshot.
 *
 * @example
 * ```ts
 * const snapshot = normalizeSnapshot({ format: 'squizzle-schema-v1', server: '18.4', objects })
 * ```
 */
export function normalizeSnapshot(snapshot: SchemaSnapshot): SchemaSnapshot {
  const objects = [...snapshot.objects].sort(compareObjects)
  for (let i = 1; i < objects.length; i++) {
    if (compareObjects(objects[i - 1]!, objects[i]!) === 0) {
      throw new SquizzleError(
        'SNAPSHOT_INVALID',
        `the schema snapshot lists ${objects[i]!.kind} ${objects[i]!.name} twice`,
        {
          hint: 'Object names must be unique within their kind; report this with the object definitions.',
        },
      )
    }
  }
  return { format: snapshot.format, server: snapshot.server, objects }
}

/**
 * The snapshot's stable bytes: canonical JSON (sorted keys), objects in canonical
 * order, one trailing newline. Equal schemas give equal bytes and equal digests.
 *
 * @example
 * ```ts
 * await writeFile('snapshot.json', serializeSnapshot(await driver.snapshotSchema()))
 * ```
 */
export function serializeSnapshot(snapshot: SchemaSnapshot): Buffer {
  return Buffer.from(`${canonicalJson(normalizeSnapshot(snapshot))}\n`, 'utf8')
}

/**
 * Parses and validates snapshot bytes (JSON Schema via ajv, then canonical order).
 *
 * @example
 * ```ts
 * const snapshot = parseSnapshot(bytes, 'schema/snapshot.json of 1.2.0')
 * ```
 */
export function parseSnapshot(bytes: Uint8Array | string, source = 'schema snapshot'): SchemaSnapshot {
  let value: unknown
  try {
    value = JSON.parse(typeof bytes === 'string' ? bytes : Buffer.from(bytes).toString('utf8'))
  } catch (cause) {
    throw new SquizzleError('SNAPSHOT_INVALID', `${source}: not valid JSON`, {
      cause,
      hint: 'Rebuild the version from source or restore it from a trusted copy.',
    })
  }
  return normalizeSnapshot(checkShape(value, source))
}

function compareObjects(a: SchemaObject, b: SchemaObject): number {
  const byKind = schemaObjectKinds.indexOf(a.kind) - schemaObjectKinds.indexOf(b.kind)
  if (byKind !== 0) return byKind
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0
}
