import { createHash } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { SquizzleError } from '@squizzle/core'
import type { Sql } from 'postgres'
import { pipelined } from './pipelined.js'
import { defaultSystemSchema, type TenantScope } from './tenant-schema.js'

/** One file of the system schema, as shipped with this package, rendered for one system schema. */
export interface SystemSchemaFile {
  name: string
  /** The SQL to run, with the system schema's name in place of the template's placeholder. */
  sql: string
  /** Of the file as released (rendered for the `squizzle` schema): the same for every tenant. */
  sha256: string
}

const folder = fileURLToPath(new URL('../sql/system/', import.meta.url))

/** Where a file names the system schema, as psql's quoted-identifier variables are written. */
const placeholder = ':"system_schema"'

/** A shipped file before rendering: read from disk once per process (the package's files never change under it). */
interface SystemSchemaTemplate {
  name: string
  template: string
  sha256: string
}

let templates: Promise<SystemSchemaTemplate[]> | undefined

/**
 * The system schema files shipped with the driver, in order, rendered for `system`
 * (default `squizzle`). The files are templates over the schema name: the default
 * renders byte for byte as the files were released (so databases and offline scripts
 * made before tenants existed check out the same), any other name as a quoted
 * identifier. Only names `tenantScope` made reach here. The files are read and hashed
 * once per process: a fleet rollout renders them for every target.
 *
 * @example
 * ```ts
 * (await systemSchemaFiles()).map((f) => f.name) // ['0001_history.sql', …]
 * (await systemSchemaFiles('squizzle_acme'))[0]!.sql // CREATE TABLE "squizzle_acme".history …
 * ```
 */
export async function systemSchemaFiles(system: string = defaultSystemSchema): Promise<SystemSchemaFile[]> {
  templates ??= readTemplates().catch((err: unknown) => {
    templates = undefined
    throw err
  })
  const name = system === defaultSystemSchema ? system : quoteIdentifier(system)
  return (await templates).map((t) => ({
    name: t.name,
    sql: t.template.replaceAll(placeholder, name),
    sha256: t.sha256,
  }))
}

async function readTemplates(): Promise<SystemSchemaTemplate[]> {
  let names: string[]
  try {
    names = (await readdir(folder)).filter((n) => n.endsWith('.sql')).sort()
  } catch (cause) {
    throw new SquizzleError('DATABASE_ERROR', `the system schema files are missing from ${folder}`, {
      hint: 'Reinstall @squizzle/driver-postgres (or run its build, which copies sql/system).',
      cause,
    })
  }
  return Promise.all(
    names.map(async (name) => {
      const template = await readFile(`${folder}${name}`, 'utf8')
      const released = template.replaceAll(placeholder, defaultSystemSchema)
      return { name, template, sha256: createHash('sha256').update(released).digest('hex') }
    }),
  )
}

/** `name` as a quoted identifier (as postgres.js `sql(name)` writes one, for text that is no tagged template). */
function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`
}

/** Runs `fn` in one transaction (the driver's runner, which survives a lost connection). */
export type Transact = <T>(fn: (tx: Sql) => Promise<T>) => Promise<T>

/**
 * What a driver has seen of its system schema. Once it exists it stays (Squizzle never
 * drops it), so a driver that saw it, or created it, stops probing for it.
 */
export interface SchemaPresence {
  seen: boolean
}

/**
 * Brings the scope's system schema up to date (and creates its tenant schema): every
 * shipped file not yet recorded in `<system>.schema_version` runs, in order, and is
 * recorded with its SHA-256, all in one transaction, so a failure leaves the schema as
 * it was. Idempotent. Callers hold the migration lock, so two processes never race here.
 * A schema `presence` has seen, and that records every file, costs one read and no transaction.
 *
 * @example
 * ```ts
 * await applySystemSchema(sql, (fn) => inTransaction(session, fn, { lost }), tenantScope(undefined), { seen: false })
 * ```
 */
export async function applySystemSchema(
  sql: Sql,
  transaction: Transact,
  scope: TenantScope,
  presence: SchemaPresence,
): Promise<void> {
  const files = await systemSchemaFiles(scope.system)
  if (presence.seen && pendingFiles(files, await recordedFiles(sql, scope.system)).length === 0) return
  await transaction(async (tx) => {
    const pending = pendingFiles(files, await bootstrap(tx, scope))
    if (pending.length > 0) await applyFiles(tx, scope.system, pending)
  })
}

/** Creates the schemas and `schema_version` where missing and reads what it records, in one round trip. */
async function bootstrap(tx: Sql, { tenant, system }: TenantScope): Promise<ReadonlyMap<string, string>> {
  const tenantSchema = tenant === null ? [] : [tx`CREATE SCHEMA IF NOT EXISTS ${tx(tenant)}`]
  const recorded = await pipelined([
    ...tenantSchema,
    tx`CREATE SCHEMA IF NOT EXISTS ${tx(system)}`,
    tx`CREATE TABLE IF NOT EXISTS ${tx(system)}.schema_version (
      name text PRIMARY KEY,
      sha256 text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`,
    recordedQuery(tx, system),
  ])
  return recordedMap(recorded.at(-1) as Recorded)
}

type Recorded = { name: string; sha256: string }[]

const recordedQuery = (sql: Sql, system: string) =>
  sql<Recorded>`SELECT name, sha256 FROM ${sql(system)}.schema_version`

const recordedMap = (rows: Recorded): ReadonlyMap<string, string> => new Map(rows.map((r) => [r.name, r.sha256]))

async function recordedFiles(sql: Sql, system: string): Promise<ReadonlyMap<string, string>> {
  return recordedMap(await recordedQuery(sql, system))
}

/** The shipped files not recorded yet, in order; throws `TAMPERED` for a recorded file that differs. */
function pendingFiles(files: SystemSchemaFile[], recorded: ReadonlyMap<string, string>): SystemSchemaFile[] {
  for (const file of files) {
    const sha256 = recorded.get(file.name)
    if (sha256 !== undefined && sha256 !== file.sha256) {
      throw new SquizzleError(
        'TAMPERED',
        `system schema file ${file.name} differs from the one applied to this database`,
        {
          hint: 'Use the same or a newer @squizzle/driver-postgres release than the one that created the schema.',
        },
      )
    }
  }
  return files.filter((f) => !recorded.has(f.name))
}

/**
 * Runs the files in order and records them, sent together (pipelined): a failing file is
 * reported with its name (whatever follows it fails only because the transaction aborted).
 */
async function applyFiles(tx: Sql, system: string, files: SystemSchemaFile[]): Promise<void> {
  const rows = files.map((f) => ({ name: f.name, sha256: f.sha256 }))
  await pipelined(
    [
      ...files.map((file) => tx.unsafe(file.sql).simple()),
      tx`INSERT INTO ${tx(system)}.schema_version (name, sha256)
      SELECT name, sha256 FROM pg_catalog.jsonb_to_recordset(${tx.json(rows)}) AS f(name text, sha256 text)`,
    ],
    (index, error) => (files[index] ? fileFailure(files[index], error) : error),
  )
}

function fileFailure(file: SystemSchemaFile, cause: unknown): unknown {
  // The database error itself (code, position, detail) is what callers classify and report; it gains the file's name.
  if (cause instanceof Error) cause.message = `${file.name}: ${cause.message}`
  return cause
}

/**
 * True when the system schema `system` exists in the database.
 *
 * @example
 * ```ts
 * if (!(await hasSystemSchema(sql, 'squizzle'))) console.log('never migrated')
 * ```
 */
export async function hasSystemSchema(sql: Sql, system: string): Promise<boolean> {
  const [row] = await sql<{ present: boolean }[]>`
    SELECT to_regclass(quote_ident(${system}) || '.history') IS NOT NULL AS present`
  return row?.present ?? false
}

/**
 * True when the system schema exists: known once `presence` has seen it, else probed (and remembered).
 *
 * @example
 * ```ts
 * const presence = { seen: false }
 * if (await systemSchemaSeen(sql, 'squizzle', presence)) await readHistory(sql, 'squizzle', presence)
 * ```
 */
export async function systemSchemaSeen(sql: Sql, system: string, presence: SchemaPresence): Promise<boolean> {
  if (!presence.seen) presence.seen = await hasSystemSchema(sql, system)
  return presence.seen
}
