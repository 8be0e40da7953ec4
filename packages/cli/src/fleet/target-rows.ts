import { SquizzleError, type FleetTarget } from '@squizzle/core'

/**
 * Targets from rows someone else produced (a file, a command, a query): each an object
 * with a string `name` and `url` and, optionally, `labels` of strings (a JSON text is
 * read too, as a jsonb column arrives). Throws `FLEET_TARGET_INVALID` naming the source
 * and the row; a row's values are never quoted (a url may hold a password).
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
    // A silently ignored schema would roll every tenant of a database out as one: refuse it instead.
    if (schema !== undefined && schema !== null)
      throw invalidRows(source, `row ${i + 1} (${name}) names a schema; ${perDatabase}`)
    const parsed = labelsOf(typeof labels === 'string' ? parseJson(labels) : labels)
    if (parsed === undefined) throw invalidRows(source, `row ${i + 1} (${name}) has labels that are not strings`)
    return parsed === null ? { name, url } : { name, url, labels: parsed }
  })
}

/** The labels, null when absent, undefined when they are not an object of strings. */
const perDatabase =
  'the built-in PostgreSQL driver keeps one history and lock per database, so each target must be its own database'

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
      'labels, if any, map names to strings.',
    details: { source },
  })
}
