// The snapshot's types and its JSON Schema, apart from the code that reads and writes snapshots,
// so the validator generator (scripts/generate-validators.mjs) can load the schema on its own.

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
  oneOf: [
    { type: 'string' },
    { type: 'number' },
    { type: 'boolean' },
    { type: 'null' },
    { type: 'array', items: { type: 'string' } },
  ],
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
