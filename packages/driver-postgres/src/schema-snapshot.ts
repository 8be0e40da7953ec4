import {
  normalizeSnapshot,
  schemaSnapshotFormat,
  type SchemaObject,
  type SchemaObjectKind,
  type SchemaSnapshot,
  type SchemaValue,
} from '@squizzle/core'
import type { Sql } from 'postgres'
import * as q from './catalog-queries.js'
import { pipelined } from './pipelined.js'
import { asReplayed } from './tenant-snapshot.js'

type Row = Record<string, unknown>

const relkinds: Record<string, string> = { r: 'table', p: 'partitioned', f: 'foreign' }
const constraintTypes: Record<string, string> = {
  p: 'primary key',
  u: 'unique',
  f: 'foreign key',
  c: 'check',
  x: 'exclusion',
  t: 'constraint trigger',
}
const routineKinds: Record<string, SchemaObjectKind> = { f: 'function', w: 'function', p: 'procedure', a: 'aggregate' }
const typeKinds: Record<string, SchemaObjectKind> = { e: 'enum', d: 'domain', c: 'composite-type' }
const identities: Record<string, string> = { a: 'always', d: 'by default' }
const generated: Record<string, string> = { s: 'stored', v: 'virtual' }
const policyCommands: Record<string, string> = { r: 'select', a: 'insert', w: 'update', d: 'delete', '*': 'all' }

/** Runs `fn` in a read-only repeatable-read transaction (the driver's own runner survives a lost connection). */
export type SnapshotTransaction = <T>(fn: (tx: Sql) => Promise<T>) => Promise<T>

/**
 * Reads the schema of the database `sql` is connected to, in one read-only
 * snapshot transaction (one catalog statement), and returns it normalized (see `SchemaSnapshot`). With
 * `tenant`, only that schema, named `public` as in the bundle's replay (see `asReplayed`).
 *
 * @example
 * ```ts
 * const snapshot = await readSchemaSnapshot(sql)
 * const acme = await readSchemaSnapshot(sql, undefined, 'acme') // acme.users reads as public.users
 * ```
 */
export async function readSchemaSnapshot(
  sql: Sql,
  inSnapshot?: SnapshotTransaction,
  tenant: string | null = null,
): Promise<SchemaSnapshot> {
  const begin: SnapshotTransaction = async (fn) =>
    (await sql.begin('isolation level repeatable read read only', (tx) => fn(tx as unknown as Sql))) as never
  const run = inSnapshot ?? begin
  return (await run(async (tx) => {
    const t = tx as unknown as Sql
    // Pinned first, then the catalogs read, in one round trip: the reading statement is
    // parsed and run after the settings (a connection's messages run in order).
    const [[server], [read]] = await pipelined([pinDeparseSettings(t), readCatalogs(t, tenant)])
    const objects = objectReaders.flatMap(([kind, , toObject]) => (read?.[kind] ?? []).map(toObject))
    const mapped = tenant === null ? objects : objects.map((o) => asReplayed(o, tenant))
    return normalizeSnapshot({ format: schemaSnapshotFormat, server: server?.v ?? 'unknown', objects: mapped })
  })) as SchemaSnapshot
}

/**
 * Every deparsed name comes out schema-qualified, whatever the role's search_path, and
 * constants in defaults and checks print the same whatever the role's date and number settings
 * (`set_config(…, true)` is `SET LOCAL`). Also says which server this is.
 */
function pinDeparseSettings(t: Sql) {
  return t<{ v: string }[]>`SELECT pg_catalog.set_config('search_path', 'pg_catalog', true),
    pg_catalog.set_config('timezone', 'UTC', true), pg_catalog.set_config('datestyle', 'ISO, YMD', true),
    pg_catalog.set_config('intervalstyle', 'postgres', true), pg_catalog.set_config('extra_float_digits', '3', true),
    pg_catalog.current_setting('server_version') AS v`
}

/**
 * Every kind's catalog query in one statement, each kind's rows as one JSON array (text,
 * booleans and text arrays come out of JSON as postgres.js would give them as columns).
 */
function readCatalogs(t: Sql, only: string | null) {
  const kinds = objectReaders.map(
    ([kind, rows]) => t`(SELECT coalesce(json_agg(r), '[]') FROM (${rows(t, only)}) r)
    AS ${t(kind)}`,
  )
  const list = kinds.reduce((all, kind) => t`${all}, ${kind}`)
  return t<Record<string, Row[] | undefined>[]>`SELECT ${list}`
}

type Reader = readonly [string, (t: Sql, only: string | null) => q.CatalogQuery, (r: Row) => SchemaObject]

const objectReaders: readonly Reader[] = [
  ['extensions', q.extensionRows, (r) => object('extension', s(r['name']), { schema: r['schema'] })],
  ['schemas', q.schemaRows, (r) => object('schema', s(r['name']), { comment: r['comment'] })],
  ['types', q.typeRows, typeObject],
  ['sequences', q.sequenceRows, sequenceObject],
  ['tables', q.tableRows, tableObject],
  ['columns', q.columnRows, columnObject],
  ['constraints', q.constraintRows, constraintObject],
  ['indexes', q.indexRows, indexObject],
  ['views', q.viewRows, viewObject],
  ['routines', q.routineRows, routineObject],
  ['triggers', q.triggerRows, triggerObject],
  ['policies', q.policyRows, policyObject],
]

function sequenceObject(r: Row): SchemaObject {
  return object('sequence', `${s(r['schema'])}.${s(r['name'])}`, {
    type: r['type'],
    start: r['start'],
    increment: r['increment'],
    min: r['min'],
    max: r['max'],
    cache: r['cache'],
    cycle: r['cycle'],
    ownedBy: r['owned_by'],
  })
}

function tableObject(r: Row): SchemaObject {
  return object('table', `${s(r['schema'])}.${s(r['name'])}`, {
    type: relkinds[s(r['relkind'])],
    unlogged: r['persistence'] === 'u',
    rowSecurity: r['row_security'],
    forceRowSecurity: r['force_row_security'],
    partitionKey: r['partition_key'],
    partitionBound: r['partition_bound'],
    parents: r['parents'],
    comment: r['comment'],
  })
}

function columnObject(r: Row): SchemaObject {
  return object('column', `${s(r['schema'])}.${s(r['table'])}.${s(r['name'])}`, {
    type: r['type'],
    notNull: r['not_null'],
    default: r['default'],
    identity: identities[s(r['identity'])],
    generated: generated[s(r['generated'])],
    collation: r['collation'],
    comment: r['comment'],
  })
}

function constraintObject(r: Row): SchemaObject {
  return object('constraint', `${s(r['schema'])}.${s(r['table'])}.${s(r['name'])}`, {
    type: constraintTypes[s(r['type'])] ?? r['type'],
    definition: r['definition'],
    comment: r['comment'],
  })
}

function indexObject(r: Row): SchemaObject {
  return object('index', `${s(r['schema'])}.${s(r['name'])}`, {
    table: r['table'],
    definition: r['definition'],
    valid: r['valid'],
    comment: r['comment'],
  })
}

function viewObject(r: Row): SchemaObject {
  return object(r['relkind'] === 'm' ? 'materialized-view' : 'view', `${s(r['schema'])}.${s(r['name'])}`, {
    definition: r['definition'],
    comment: r['comment'],
  })
}

function routineObject(r: Row): SchemaObject {
  const kind = routineKinds[s(r['prokind'])] ?? 'function'
  return object(kind, `${s(r['schema'])}.${s(r['name'])}(${s(r['arguments'])})`, {
    window: r['prokind'] === 'w' ? true : null,
    definition: r['definition'],
    result: r['result'],
    aggregate: r['aggregate'],
    comment: r['comment'],
  })
}

function triggerObject(r: Row): SchemaObject {
  return object('trigger', `${s(r['schema'])}.${s(r['table'])}.${s(r['name'])}`, {
    definition: r['definition'],
    enabled: r['enabled'],
    comment: r['comment'],
  })
}

function policyObject(r: Row): SchemaObject {
  return object('policy', `${s(r['schema'])}.${s(r['table'])}.${s(r['name'])}`, {
    command: policyCommands[s(r['command'])],
    permissive: r['permissive'],
    roles: r['roles'],
    using: r['using'],
    withCheck: r['with_check'],
  })
}

function typeObject(r: Row): SchemaObject {
  const kind = typeKinds[s(r['typtype'])] ?? 'enum'
  const name = `${s(r['schema'])}.${s(r['name'])}`
  if (kind === 'enum') return object(kind, name, { labels: r['labels'] as string[], comment: r['comment'] })
  if (kind === 'domain')
    return object(kind, name, {
      baseType: r['base_type'],
      notNull: r['not_null'],
      default: r['default'],
      checks: r['checks'],
      comment: r['comment'],
    })
  return object(kind, name, { attributes: r['attributes'], comment: r['comment'] })
}

/**
 * An object with its properties cleaned: absent values (null, '', []) are left out so snapshots stay small and stable.
 */
function object(kind: SchemaObjectKind, name: string, raw: Record<string, unknown>): SchemaObject {
  const properties: Record<string, SchemaValue> = {}
  for (const [key, value] of Object.entries(raw)) {
    if (value === null || value === undefined || value === '') continue
    if (Array.isArray(value)) {
      if (value.length > 0) properties[key] = value.map(String)
      continue
    }
    properties[key] = typeof value === 'boolean' || typeof value === 'number' ? value : String(value)
  }
  return { kind, name, properties }
}

function s(value: unknown): string {
  return value === null || value === undefined ? '' : String(value)
}
