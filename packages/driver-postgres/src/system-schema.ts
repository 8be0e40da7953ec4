import { createHash } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { SquizzleError } from '@squizzle/core'
import type { Sql } from 'postgres'
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

/**
 * The system schema files shipped with the driver, in order, rendered for `system`
 * (default `squizzle`). The files are templates over the schema name: the default
 * renders byte for byte as the files were released (so databases and offline scripts
 * made before tenants existed check out the same), any other name as a quoted
 * identifier. Only names `tenantScope` made reach here.
 *
 * @example
 * ```ts
 * (await systemSchemaFiles()).map((f) => f.name) // ['0001_history.sql', …]
 * (await systemSchemaFiles('squizzle_acme'))[0]!.sql // CREATE TABLE "squizzle_acme".history …
 * ```
 */
export async function systemSchemaFiles(system: string = defaultSystemSchema): Promise<SystemSchemaFile[]> {
  let names: string[]
  try {
    names = (await readdir(folder)).filter((n) => n.endsWith('.sql')).sort()
  } catch (cause) {
    throw new SquizzleError('DATABASE_ERROR', `the system schema files are missing from ${folder}`, {
      hint: 'Reinstall @squizzle/driver-postgres (or run its build, which copies sql/system).',
      cause,
    })
  }
  const name = system === defaultSystemSchema ? system : quoteIdentifier(system)
  return Promise.all(
    names.map(async (file) => {
      const template = await readFile(`${folder}${file}`, 'utf8')
      const released = template.replaceAll(placeholder, defaultSystemSchema)
      const sha256 = createHash('sha256').update(released).digest('hex')
      return { name: file, sql: template.replaceAll(placeholder, name), sha256 }
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
 * Brings the scope's system schema up to date (and creates its tenant schema): every
 * shipped file not yet recorded in `<system>.schema_version` runs in its own transaction,
 * in order. Idempotent. Callers hold the migration lock, so two processes never race here.
 *
 * @example
 * ```ts
 * await applySystemSchema(sql, (fn) => inTransaction(session, fn, { lost }), tenantScope(undefined))
 * ```
 */
export async function applySystemSchema(sql: Sql, transaction: Transact, scope: TenantScope): Promise<void> {
  const { system, tenant } = scope
  await transaction(async (tx) => {
    if (tenant !== null) await tx`CREATE SCHEMA IF NOT EXISTS ${tx(tenant)}`
    await tx`CREATE SCHEMA IF NOT EXISTS ${tx(system)}`
    await tx`CREATE TABLE IF NOT EXISTS ${tx(system)}.schema_version (
      name text PRIMARY KEY,
      sha256 text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`
  })
  const recorded = await sql<{ name: string; sha256: string }[]>`SELECT name, sha256 FROM ${sql(system)}.schema_version`
  const applied = new Map(recorded.map((r) => [r.name, r.sha256]))
  for (const file of await systemSchemaFiles(system)) {
    const sha256 = applied.get(file.name)
    if (sha256 !== undefined) {
      if (sha256 !== file.sha256) {
        throw new SquizzleError(
          'TAMPERED',
          `system schema file ${file.name} differs from the one applied to this database`,
          {
            hint: 'Use the same or a newer @squizzle/driver-postgres release than the one that created the schema.',
          },
        )
      }
      continue
    }
    await transaction(async (tx) => {
      await tx.unsafe(file.sql).simple()
      await tx`INSERT INTO ${tx(system)}.schema_version (name, sha256) VALUES (${file.name}, ${file.sha256})`
    })
  }
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
