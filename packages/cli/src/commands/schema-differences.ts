import type { SchemaDifference, SchemaValue } from '@squizzle/core'
import type { Reporter } from '../output/reporter.js'

/**
 * Prints schema differences one per line: `+` only in the second schema, `-` only
 * in the first, `~` changed, with each changed property's old and new value.
 *
 * @example
 * ```ts
 * printDifferences(ctx.reporter, report.differences)
 * ```
 */
export function printDifferences(r: Reporter, differences: readonly SchemaDifference[], indent = '  '): void {
  const c = r.colors
  for (const d of differences) {
    if (d.change === 'added') r.line(`${indent}${c.green('+')} ${d.kind} ${d.name}`)
    else if (d.change === 'removed') r.line(`${indent}${c.red('-')} ${d.kind} ${d.name}`)
    else {
      r.line(`${indent}${c.yellow('~')} ${d.kind} ${d.name}`)
      for (const p of d.properties) r.line(`${indent}    ${p.property}: ${show(p.from)} ${c.dim('→')} ${show(p.to)}`)
    }
  }
}

/**
 * Prints the differences an error or a result carries (`details.differences`), when
 * it carries any, as {@link printDifferences} does.
 *
 * @example
 * ```ts
 * printDetailedDifferences(ctx.reporter, err.details?.['differences'])
 * ```
 */
export function printDetailedDifferences(r: Reporter, differences: unknown, indent = '  '): void {
  if (!Array.isArray(differences) || differences.length === 0) return
  printDifferences(r, differences as SchemaDifference[], indent)
}

function show(value: SchemaValue | undefined): string {
  if (value === undefined) return '(none)'
  const text = Array.isArray(value) ? `[${value.join(', ')}]` : String(value)
  const oneLine = text.replace(/\s+/g, ' ').trim()
  return oneLine.length > 160 ? `${oneLine.slice(0, 157)}…` : oneLine
}
