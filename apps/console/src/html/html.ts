/** Markup that is already escaped (built by {@link html}); anything else is text and gets escaped. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value
  }
}

type Interpolated = SafeHtml | string | number | boolean | null | undefined | readonly Interpolated[]

const replacements: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

/**
 * Escapes text for HTML element content and quoted attribute values.
 *
 * @example
 * ```ts
 * escapeHtml('<b>"x"</b>') // '&lt;b&gt;&quot;x&quot;&lt;/b&gt;'
 * ```
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => replacements[c]!)
}

function render(value: Interpolated): string {
  if (value instanceof SafeHtml) return value.value
  if (Array.isArray(value)) return value.map(render).join('')
  if (value === null || value === undefined || value === false) return ''
  return escapeHtml(String(value))
}

/**
 * A template tag for markup: every interpolated value is escaped unless it is itself
 * `html`. WHY: SQL, object names, notes and error text come from registries and
 * databases; escaping by default means forgetting cannot open a hole.
 *
 * @example
 * ```ts
 * html`<td>${name}</td>`.value // name escaped
 * ```
 */
export function html(strings: TemplateStringsArray, ...values: Interpolated[]): SafeHtml {
  let out = strings[0]!
  values.forEach((value, i) => {
    out += render(value) + strings[i + 1]!
  })
  return new SafeHtml(out)
}
