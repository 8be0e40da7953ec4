import { createHash } from 'node:crypto'
import { SquizzleError } from '@squizzle/core'

/** The schema that holds Squizzle's own tables when the driver is given no tenant schema. */
export const defaultSystemSchema = 'squizzle'

/** The advisory lock key, in the two-int form pg_locks shows as (classid, objid). */
export interface LockKey {
  readonly classid: number
  readonly objid: number
}

/**
 * The one advisory lock key of every Squizzle migrator of a database without a tenant
 * schema. One key per database, never per version: two versions must never run at once.
 */
export const lockKey: LockKey = { classid: 0x5351_5a5a, objid: 1 }

/** Where one driver keeps its work: the tenant schema (null: the database), its system schema and lock key. */
export interface TenantScope {
  /** The schema migrations run in (`search_path`), or null for the database as a whole. */
  readonly tenant: string | null
  /** The schema of history, audit, progress and the other system tables. */
  readonly system: string
  readonly lock: LockKey
}

// Lowercase unquoted identifiers only: what PostgreSQL folds an unquoted name to, so `acme`
// in the config is the schema `acme` a psql user sees. 54 characters leave room for the
// `squizzle_` prefix within PostgreSQL's 63-byte names; `pg_` names are reserved by the server.
const tenantName = /^[a-z_][a-z0-9_]{0,53}$/

/**
 * The scope of a driver given `schema` (or none): the tenant schema, its system schema
 * `squizzle_<schema>` and a lock key derived from the schema, so two tenants of one database
 * apply in parallel and two runs on one tenant exclude each other. Without a schema: the
 * `squizzle` schema and {@link lockKey}, as always. Throws `USAGE` for a name that is not a
 * lowercase identifier of at most 54 characters (or starts with `pg_`): nothing is created.
 *
 * @example
 * ```ts
 * tenantScope('acme') // { tenant: 'acme', system: 'squizzle_acme', lock: { classid: 0x53515a5a, objid: … } }
 * tenantScope(undefined) // { tenant: null, system: 'squizzle', lock: lockKey }
 * ```
 */
export function tenantScope(schema: string | undefined): TenantScope {
  if (schema === undefined) return { tenant: null, system: defaultSystemSchema, lock: lockKey }
  assertTenantSchema(schema)
  return { tenant: schema, system: `${defaultSystemSchema}_${schema}`, lock: tenantLockKey(schema) }
}

/**
 * Throws `USAGE` unless `schema` is a valid tenant schema name (see {@link tenantScope}).
 * The name is never echoed: it may be anything a target list held.
 *
 * @example
 * ```ts
 * assertTenantSchema('tenant_42') // fine
 * assertTenantSchema('a"; DROP SCHEMA public; --') // throws USAGE
 * ```
 */
export function assertTenantSchema(schema: unknown): asserts schema is string {
  if (typeof schema === 'string' && tenantName.test(schema) && !schema.startsWith('pg_')) return
  const length = typeof schema === 'string' ? schema.length : null
  throw new SquizzleError('USAGE', 'the tenant schema name is not a plain lowercase identifier', {
    hint:
      'Name the schema with lowercase letters, digits and underscores, starting with a letter or underscore, ' +
      'at most 54 characters, not starting with pg_ (e.g. tenant_42).',
    details: { length },
  })
}

/**
 * The lock key of a tenant: Squizzle's classid and the first 31 bits of the SHA-256 of the
 * schema name, never 1 (the database-wide key). Two names that collide only serialize.
 */
function tenantLockKey(schema: string): LockKey {
  const digest = createHash('sha256').update(`squizzle tenant lock ${schema}`).digest()
  const objid = digest.readUInt32BE(0) & 0x7fff_ffff
  return { classid: lockKey.classid, objid: objid === lockKey.objid ? 2 : objid }
}
