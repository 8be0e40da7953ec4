import { createHash } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { SquizzleError } from '@squizzle/core'
import type { Sql } from 'postgres'

/** One file of the system schema, as shipped with this package. */
export interface SystemSchemaFile {
  name: string
  sql: string
  sha256: string
}

const folder = fileURLToPath(new URL('../sql/system/', import.meta.url))

/**
 * The system schema files shipped with the driver, in order.
 *
 * @example
 * ```ts
 * (await systemSchemaFiles()).map((f) => f.name) // ['0001_history.sql']
 * ```
 */
export async function systemSchemaFiles(): Promise<SystemSchemaFile[]> {
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
      const sql = await readFile(`${folder}${name}`, 'utf8')
      return { name, sql, sha256: createHash('sha256').update(sql).digest('hex') }
    }),
  )
}

/** Runs `fn` in one transaction (the driver's runner, which survives a lost connection). */
export type Transact = <T>(fn: (tx: Sql) => Promise<T>) => Promise<T>

/**
 * Brings the `squizzle` schema up to date: every shipped file not yet recorded
 * in `squizzle.schema_version` runs in its own transaction, in order. Idempotent.
 * Callers hold the migration lock, so two processes never race here.
 *
 * @example
 * ```ts
 * await applySystemSchema(sql, (fn) => inTransaction(session, fn, { lost }))
 * ```
 */
export async function applySystemSchema(sql: Sql, transaction: Transact): Promise<void> {
  await transaction(async (tx) => {
    await tx`CREATE SCHEMA IF NOT EXISTS squizzle`
    await tx`CREATE TABLE IF NOT EXISTS squizzle.schema_version (
      name text PRIMARY KEY,
      sha256 text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`
  })
  const applied = new Map(
    (await sql<{ name: string; sha256: string }[]>`SELECT name, sha256 FROM squizzle.schema_version`).map((r) => [
      r.name,
      r.sha256,
    ]),
  )
  for (const file of await systemSchemaFiles()) {
    const recorded = applied.get(file.name)
    if (recorded !== undefined) {
      if (recorded !== file.sha256) {
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
      await tx`INSERT INTO squizzle.schema_version (name, sha256) VALUES (${file.name}, ${file.sha256})`
    })
  }
}

/**
 * True when the system schema exists in the database.
 *
 * @example
 * ```ts
 * if (!(await hasSystemSchema(sql))) console.log('never migrated')
 * ```
 */
export async function hasSystemSchema(sql: Sql): Promise<boolean> {
  const [row] = await sql<{ present: boolean }[]>`SELECT to_regclass('squizzle.history') IS NOT NULL AS present`
  return row?.present ?? false
}
