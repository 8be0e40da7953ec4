import type { SchemaDifference, SchemaValue } from '@squizzle/core'
import { html, type SafeHtml } from './html.js'

const show = (value: SchemaValue | undefined): string =>
  value === undefined ? '(absent)' : Array.isArray(value) ? value.join(', ') : JSON.stringify(value)

const signs = { added: '+', removed: '−', changed: '~' } as const

function item(d: SchemaDifference): SafeHtml {
  const head = html`<span class="sign" aria-hidden="true">${signs[d.change]}</span>
    <span class="change">${d.change}</span> <span class="kind">${d.kind}</span> <code>${d.name}</code>`
  if (d.change !== 'changed') return html`<li class="d-${d.change}">${head}</li>`
  const props = d.properties.map(
    (p) =>
      html`<li>
        <code>${p.property}</code>: <del>${show(p.from)}</del> <span aria-hidden="true">→</span>
        <span class="sr">changed to</span> <ins>${show(p.to)}</ins>
      </li>`,
  )
  return html`<li class="d-changed">
    ${head}
    <ul class="props">
      ${props}
    </ul>
  </li>`
}

/**
 * Schema differences as a readable list: `+` added, `−` removed, `~` changed with each
 * property's old and new value (all text escaped).
 *
 * @example
 * ```ts
 * schemaDiff(report.differences, 'No differences.')
 * ```
 */
export function schemaDiff(differences: readonly SchemaDifference[], emptyText: string): SafeHtml {
  if (differences.length === 0) return html`<p class="muted">${emptyText}</p>`
  return html`<ul class="diff">
    ${differences.map(item)}
  </ul>`
}
