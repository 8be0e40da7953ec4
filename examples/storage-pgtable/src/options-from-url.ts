import type { PgTableOptions } from './pgtable-target.js'

/**
 * The options a `pgtable://` URL stands for: the same URL as `postgres://` (user,
 * password, host, port, database and any libpq query settings such as `sslmode`), with
 * `?schema=NAME` taken out as the store's schema.
 *
 * @example
 * ```ts
 * optionsFromUrl(new URL('pgtable://app@db:5432/releases?schema=squizzle_store&sslmode=require'))
 * // { url: 'postgres://app@db:5432/releases?sslmode=require', schema: 'squizzle_store' }
 * ```
 */
export function optionsFromUrl(url: URL): PgTableOptions {
  const database = new URL(`postgres:${url.href.slice(url.protocol.length)}`)
  const schema = database.searchParams.get('schema')
  database.searchParams.delete('schema')
  return { url: database.href, ...(schema !== null ? { schema } : {}) }
}
