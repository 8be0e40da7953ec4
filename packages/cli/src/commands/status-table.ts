import type { StatusReport } from '@squizzle/core'
import type { Reporter } from '../output/reporter.js'
import { table } from '../output/table.js'
import { formatDuration } from '../output/units.js'

const columns = [
  { heading: 'VERSION' },
  { heading: 'STATE' },
  { heading: 'APPLIED AT' },
  { heading: 'DURATION' },
  { heading: 'BY' },
  { heading: 'NOTES', flexible: true },
]

/**
 * The applied and pending versions as one table (Flyway's `info`): what state each
 * is in, when and by whom it was applied, how long that took, and its notes.
 *
 * @example
 * ```ts
 * printVersions(ctx.reporter, await migrator.status(), ctx.outputWidth())
 * ```
 */
export function printVersions(r: Reporter, report: StatusReport, width: number): void {
  if (report.applied.length === 0 && report.pending.length === 0) return
  // Nothing of it would be printed: no table of a long history to lay out for nothing.
  if (r.options.json || r.options.quiet) return
  const applied = report.applied.map((a) => [
    a.version,
    a.operation === 'baseline' ? 'baselined' : 'applied',
    a.appliedAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
    a.operation === 'baseline' ? '' : formatDuration(a.durationMs),
    a.actor,
    a.notes ?? '',
  ])
  const pending = report.pending.map((p) => {
    return [p.version, p.outOfOrder ? 'out of order' : 'pending', '', '', '', p.notes ?? '']
  })
  const [heading, ...lines] = table(columns, [...applied, ...pending], width)
  r.line(r.colors.bold(heading!))
  for (const [i, line] of lines.entries()) {
    r.line(i < applied.length ? line : paint(r, line, report.pending[i - applied.length]!.outOfOrder))
  }
}

function paint(r: Reporter, line: string, outOfOrder: boolean): string {
  return outOfOrder ? r.colors.red(line) : r.colors.yellow(line)
}
