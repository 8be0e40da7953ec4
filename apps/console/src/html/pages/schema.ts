import type { SchemaObject, SchemaSnapshot, SchemaValue } from '@squizzle/core'
import { segment } from '../components.js'
import { html, type SafeHtml } from '../html.js'

const show = (v: SchemaValue): string => (Array.isArray(v) ? v.join(', ') : v === null ? 'null' : String(v))

function properties(o: SchemaObject): SafeHtml {
  const entries = Object.entries(o.properties)
  if (entries.length === 0) return html``
  return html`<dl class="props">
    ${entries.map(
      ([k, v]) =>
        html`<dt>${k}</dt>
          <dd><code>${show(v)}</code></dd>`,
    )}
  </dl>`
}

/** Objects that belong to a table: `public.users.email` belongs to `public.users`. */
const belongsTo = (o: SchemaObject, table: string) => o.name.startsWith(`${table}.`)

/** An index names its table bare or qualified; the index's own schema qualifies a bare one. */
function indexesTable(o: SchemaObject, table: string): boolean {
  const on = o.properties['table']
  if (o.kind !== 'index' || typeof on !== 'string') return false
  return on === table || `${o.name.split('.')[0]}.${on}` === table
}

function table(t: SchemaObject, all: readonly SchemaObject[]): SafeHtml {
  const part = (kind: string, title: string) => {
    const items = all.filter((o) => o.kind === kind && belongsTo(o, t.name))
    if (items.length === 0) return html``
    const rows = items.map(
      (o) =>
        html`<tr>
          <th scope="row"><code>${o.name.slice(t.name.length + 1)}</code></th>
          <td>${properties(o)}</td>
        </tr>`,
    )
    return html`<table class="grid compact">
      <caption>
        ${title}
      </caption>
      <tbody>
        ${rows}
      </tbody>
    </table>`
  }
  return html`<details class="table" open>
    <summary><span class="kind">table</span> <code>${t.name}</code></summary>
    ${part('column', 'Columns')}${part('constraint', 'Constraints')}${indexTable(t, all)}
  </details>`
}

/** The indexes on the table, each with its properties. */
function indexTable(t: SchemaObject, all: readonly SchemaObject[]): SafeHtml {
  const tableIndexes = all.filter((o) => indexesTable(o, t.name))
  const indexRows = tableIndexes.map(
    (o) =>
      html`<tr>
        <th scope="row"><code>${o.name}</code></th>
        <td>${properties(o)}</td>
      </tr>`,
  )
  return tableIndexes.length
    ? html`<table class="grid compact">
        <caption>
          Indexes
        </caption>
        <tbody>
          ${indexRows}
        </tbody>
      </table>`
    : html``
}

function others(snapshot: SchemaSnapshot, shown: Set<SchemaObject>): SafeHtml {
  const rest = snapshot.objects.filter((o) => !shown.has(o))
  if (rest.length === 0) return html``
  const rows = rest.map(
    (o) =>
      html`<tr>
        <td>${o.kind}</td>
        <th scope="row"><code>${o.name}</code></th>
        <td>${properties(o)}</td>
      </tr>`,
  )
  return html`<h2>Other objects</h2>
    <div class="scroll">
      <table class="grid compact">
        <caption>
          ${rest.length} objects
        </caption>
        <thead>
          <tr>
            <th scope="col">Kind</th>
            <th scope="col">Name</th>
            <th scope="col">Definition</th>
          </tr>
        </thead>
        <tbody>
          ${rows}
        </tbody>
      </table>
    </div>`
}

/**
 * The schema a version recorded at build: each table with its columns, constraints and
 * indexes, then every other object.
 *
 * @example
 * ```ts
 * schemaPage('1.2.0', await releases.schema('1.2.0'))
 * ```
 */
export function schemaPage(version: string, snapshot: SchemaSnapshot | null): SafeHtml {
  const crumbs = html`<nav class="crumbs" aria-label="Breadcrumb">
    <a href="/releases">Releases</a> <span aria-hidden="true">/</span>
    <a href="/releases/${segment(version)}">${version}</a> <span aria-hidden="true">/</span> schema
  </nav>`
  if (!snapshot)
    return html`${crumbs}
      <h1>Schema of ${version}</h1>
      <p class="empty">Built without a schema snapshot.</p>`
  const tables = snapshot.objects.filter((o) => o.kind === 'table')
  const shown = new Set<SchemaObject>(tables)
  for (const o of snapshot.objects) {
    if (tables.some((t) => belongsTo(o, t.name) && (o.kind === 'column' || o.kind === 'constraint'))) shown.add(o)
    if (tables.some((t) => indexesTable(o, t.name))) shown.add(o)
  }
  return html`${crumbs}
    <h1>Schema of ${version}</h1>
    <p class="lead">
      ${tables.length} tables, ${snapshot.objects.length} objects, recorded on PostgreSQL ${snapshot.server}.
    </p>
    ${tables.map((t) => table(t, snapshot.objects))}${others(snapshot, shown)}`
}
