import { canonicalJson } from '../manifest/canonical-json.js'
import { SquizzleError } from '../errors/squizzle-error.js'
import { compileSchema } from '../schema/compile-schema.js'

/** The snapshot format id; a new normalization gets a new id. */
export const schemaSnapshotFormat = 'squizzle-schema-v1'

/** The kinds of database objects a snapshot records, in the order they are listed. */
export const schemaObjectKinds = [
  'extension',
  'schema',
  'enum',
  'domain',
  'composite-type',
  'sequence',
  'table',
  'column',
  'constraint',
  'index',
  'view',
  'materialized-view',
  'function',
  'procedure',
  'aggregate',
  'trigger',
  'policy',
] as const

export type SchemaObjectKind = (typeof schemaObjectKinds)[number]

/** A property value: normalized text from the catalogs, a flag, or an ordered list. */
export type SchemaValue = string | number | boolean | null | string[]

/** One database object, named uniquely within its kind. */
export interface SchemaObject {
  kind: SchemaObjectKind
  /**
   * Qualified name: `public.users` (schemas, tables, views, types, sequences, indexes),
   * `public.users.email` (columns, constraints, triggers, policies),
   * `public.f(integer, text)` (routines), the bare name for schemas and extensions.
   */
  name: string
  /** What defines the object (type, definition text, flags), compared key by key. */
  properties: Record<string, SchemaValue>
}

/**
 * A normalized picture of a database's schema: every user object, without data,
 * owners, grants or anything Squizzle itself created. Two databases built by the
 * same SQL give equal snapshots.
 */
export interface SchemaSnapshot {
  format: typeof schemaSnapshotFormat
  /** The server the snapshot was taken on, e.g. `18.4`. Informative only: never compared. */
  server: string
  /** Sorted by kind (in {@link schemaObjectKinds} order), then name. */
  objects: SchemaObject[]
}

const valueSchema = {
  oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }, { type: 'null' }, { type: 'array', items: { type: 'string' } }],
}

/** JSON Schema (draft-07) of a stored schema snapshot (`schema/snapshot.json` in a bundle). */
export const schemaSnapshotSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://squizzle.dev/schemas/schema-snapshot.v1.json',
  title: 'Squizzle schema snapshot v1',
  type: 'object',
  additionalProperties: false,
  required: ['format', 'server', 'objects'],
  properties: {
    format: { const: schemaSnapshotFormat },
    server: { type: 'string', maxLength: 256 },
    objects: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['kind', 'name', 'properties'],
        properties: {
          kind: { enum: [...schemaObjectKinds] },
          name: { type: 'string', minLength: 1, maxLength: 4096 },
          properties: { type: 'object', additionalProperties: valueSchema },
        },
      },
    },
  },
} as const

const checkShape = compileSchema<SchemaSnapshot>(
  schemaSnapshotSchema,
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
      throw new SquizzleError('SNAPSHOT_INVALID', `the schema snapshot lists ${objects[i]!.kind} ${objects[i]!.name} twice`, {
        hint: 'Object names must be unique within their kind; report this with the object definitions.',
      })
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
    throw new SquizzleError('SNAPSHOT_INVALID', `${source}: not valid JSON`, { cause, hint: 'Rebuild the version from source or restore it from a trusted copy.' })
  }
  return normalizeSnapshot(checkShape(value, source))
}

function compareObjects(a: SchemaObject, b: SchemaObject): number {
  const byKind = schemaObjectKinds.indexOf(a.kind) - schemaObjectKinds.indexOf(b.kind)
  if (byKind !== 0) return byKind
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0
}
