import { SquizzleError, type FleetTarget } from '@squizzle/core'
import { assertTenantSchema } from '@squizzle/driver-postgres'

/**
 * Targets from rows someone else produced (a file, a command, a query): each an object
 * with a string `name` and `url` and, optionally, `labels` of strings (a JSON text is
 * read too, as a jsonb column arrives) and a tenant `schema`. Throws `FLEET_TARGET_INVALID`
 * naming the source and the row, before anything connects (a schema that is no plain
 * lowercase identifier too); a row's values are never quoted (a url may hold a password).
 *
 * @example
 * ```ts
 * targetRows([{ name: 'acme', url: 'env:ACME_URL' }], 'tenants.yaml')
 * ```
 */
export function targetRows(rows: unknown, source: string): FleetTarget[] {
  if (!Array.isArray(rows)) throw invalidRows(source, 'is not a list of targets')
  return rows.map((row: unknown, i) => {
    if (typeof row !== 'object' || row === null) throw invalidRows(source, `row ${i + 1} is not an object`)
    const { name, url, labels, schema } = row as Record<string, unknown>
    if (typeof name !== 'string' || name === '') throw invalidRows(source, `row ${i + 1} has no name`)
    if (typeof url !== 'string' || url === '') throw invalidRows(source, `row ${i + 1} (${name}) has no url`)
    const parsed = labelsOf(typeof labels === 'string' ? parseJson(labels) : labels)
    if (parsed === undefined) throw invalidRows(source, `row ${i + 1} (${name}) has labels that are not strings`)
    const target: FleetTarget = parsed === null ? { name, url } : { name, url, labels: parsed }
    if (schema === undefined || schema === null) return target
    if (!isTenantSchema(schema)) throw invalidRows(source, `row ${i + 1} (${name}) has a schema that is ${plain}`)
    return { ...target, schema }
  })
}

const plain = 'not a lowercase identifier of at most 54 characters (letters, digits, _; not pg_…)'

function isTenantSchema(schema: unknown): schema is string {
  try {
    assertTenantSchema(schema)
    return true
  } catch {
    return false
  }
}

/** The labels, null when absent, undefined when they are not an object of strings. */
function labelsOf(value: unknown): Record<string, string> | null | undefined {
  if (value === undefined || value === null) return null
  if (typeof value !== 'object' || Array.isArray(value)) return undefined
  const entries = Object.entries(value as Record<string, unknown>)
  if (!entries.every(([, v]) => typeof v === 'string')) return undefined
  return Object.fromEntries(entries) as Record<string, string>
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

function invalidRows(source: string, problem: string): SquizzleError {
  return new SquizzleError('FLEET_TARGET_INVALID', `the fleet's target list from ${source} ${problem}`, {
    hint:
      'Each target needs a name and a url (a connection URL or env:VARIABLE); ' +
      'labels, if any, map names to strings; a schema, if any, is a lowercase identifier such as tenant_42.',
    details: { source },
  })
}
