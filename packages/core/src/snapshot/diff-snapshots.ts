import {
  schemaObjectKinds,
  type SchemaObject,
  type SchemaObjectKind,
  type SchemaSnapshot,
  type SchemaValue,
} from './schema-snapshot.js'

/** A property whose value differs between two snapshots (`undefined`: absent on that side). */
export interface PropertyChange {
  property: string
  from: SchemaValue | undefined
  to: SchemaValue | undefined
}

/** One difference between two snapshots, from the first (`from`) to the second (`to`). */
export type SchemaDifference =
  | { change: 'added'; kind: SchemaObjectKind; name: string; object: SchemaObject }
  | { change: 'removed'; kind: SchemaObjectKind; name: string; object: SchemaObject }
  | { change: 'changed'; kind: SchemaObjectKind; name: string; properties: PropertyChange[] }

/**
 * Every difference between two snapshots: objects only in `to` are `added`, objects
 * only in `from` are `removed`, objects in both whose properties differ are
 * `changed` (with each property's old and new value). The server version is
 * not compared. Pure; the result is in canonical object order.
 *
 * @example
 * ```ts
 * const drift = diffSnapshots(expected, await driver.snapshotSchema())
 * for (const d of drift) console.log(d.change, d.kind, d.name)
 * ```
 */
export function diffSnapshots(from: SchemaSnapshot, to: SchemaSnapshot): SchemaDifference[] {
  const before = byKey(from.objects)
  const after = byKey(to.objects)
  const out: SchemaDifference[] = []
  for (const [key, object] of before) {
    const other = after.get(key)
    if (!other) {
      out.push({ change: 'removed', kind: object.kind, name: object.name, object })
      continue
    }
    const properties = changedProperties(object.properties, other.properties)
    if (properties.length > 0) out.push({ change: 'changed', kind: object.kind, name: object.name, properties })
  }
  for (const [key, object] of after) {
    if (!before.has(key)) out.push({ change: 'added', kind: object.kind, name: object.name, object })
  }
  return out.sort(
    (a, b) =>
      schemaObjectKinds.indexOf(a.kind) - schemaObjectKinds.indexOf(b.kind) ||
      (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  )
}

function byKey(objects: readonly SchemaObject[]): Map<string, SchemaObject> {
  return new Map(objects.map((o) => [`${o.kind}\u0000${o.name}`, o]))
}

function changedProperties(a: Record<string, SchemaValue>, b: Record<string, SchemaValue>): PropertyChange[] {
  const names = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()
  const out: PropertyChange[] = []
  for (const property of names) {
    const from = Object.hasOwn(a, property) ? a[property] : undefined
    const to = Object.hasOwn(b, property) ? b[property] : undefined
    if (!sameValue(from, to)) out.push({ property, from, to })
  }
  return out
}

function sameValue(a: SchemaValue | undefined, b: SchemaValue | undefined): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => v === b[i])
  return a === b
}

const signs = { added: '+', removed: '-', changed: '~' } as const

/**
 * The differences as short tokens, `~ enum public.status (labels), - table public.audit`:
 * `+` only in the second snapshot, `-` only in the first, `~` changed (with the
 * properties that differ). With `limit`, the first ones and "and N more".
 *
 * @example
 * ```ts
 * summarizeDifferences(diffSnapshots(expected, live), 5)
 * ```
 */
export function summarizeDifferences(
  differences: readonly SchemaDifference[],
  limit = Number.POSITIVE_INFINITY,
): string {
  const named = differences.slice(0, limit).map((d) => {
    const what = d.change === 'changed' ? ` (${d.properties.map((p) => p.property).join(', ')})` : ''
    return `${signs[d.change]} ${d.kind} ${d.name}${what}`
  })
  const more = differences.length - named.length
  return named.join(', ') + (more > 0 ? ` and ${more} more` : '')
}

/**
 * The differences without the full objects of added and removed ones, small enough
 * for an audit row or an error's details.
 *
 * @example
 * ```ts
 * await driver.records.addAudit({ ...entry, details: { differences: compactDifferences(differences) } })
 * ```
 */
export function compactDifferences(differences: readonly SchemaDifference[]): Record<string, unknown>[] {
  return differences.map((d) => (d.change === 'changed' ? { ...d } : { change: d.change, kind: d.kind, name: d.name }))
}
