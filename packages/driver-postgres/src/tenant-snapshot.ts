import type { SchemaObject, SchemaValue } from '@squizzle/core'

/** The schema a bundle's snapshot was replayed into: the name a tenant's objects are compared under. */
export const replaySchema = 'public'

/**
 * A tenant's object as the bundle's snapshot names it: every reference to the tenant
 * schema, in its name and in its deparsed properties (`acme.users`, `"user".users`,
 * `REFERENCES acme.t(id)`, `nextval('acme.t_id_seq'::regclass)`), reads `public.` instead,
 * so a tenant built by the same SQL as the replay compares equal. Tenant names are plain
 * lowercase identifiers (see `tenantScope`), so the deparser writes them bare or, for
 * a keyword, in double quotes: exactly the two forms replaced.
 *
 * @example
 * ```ts
 * asReplayed({ kind: 'table', name: 'acme.users', properties: {} }, 'acme').name // 'public.users'
 * ```
 */
export function asReplayed(object: SchemaObject, tenant: string): SchemaObject {
  const qualified = new RegExp(`(?<![\\w$"])(?:${tenant}|"${tenant}")\\.`, 'g')
  const rename = (text: string) => text.replace(qualified, `${replaySchema}.`)
  const properties: Record<string, SchemaValue> = {}
  for (const [key, value] of Object.entries(object.properties)) {
    // An extension's `schema` is a bare schema name.
    if (key === 'schema' && value === tenant) properties[key] = replaySchema
    else if (typeof value === 'string') properties[key] = rename(value)
    else properties[key] = Array.isArray(value) ? value.map(rename) : value
  }
  return { kind: object.kind, name: rename(object.name), properties }
}
