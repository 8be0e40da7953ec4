/** A column of a table: its heading, and whether it gives up width when the table does not fit. */
export interface Column {
  heading: string
  /** Shrinks (its cells cut with `…`) so the table fits the width; at most one column should. */
  flexible?: boolean
}

/**
 * A table as lines of text: a heading row, then one row per entry, columns two
 * spaces apart and each as wide as its widest cell. When the rows are wider than
 * `width`, the flexible column (e.g. notes) is cut to fit, never below 10 columns;
 * the last column is not padded. Whitespace in a cell (a newline in notes) becomes
 * one space, so a row is always one line.
 *
 * @example
 * ```ts
 * table([{ heading: 'VERSION' }, { heading: 'NOTES', flexible: true }], [['1.0.0', 'first release']], 80)
 * // ['VERSION  NOTES', '1.0.0    first release']
 * ```
 */
export function table(columns: readonly Column[], rows: readonly (readonly string[])[], width: number): string[] {
  const cells = rows.map((row) => columns.map((_, i) => (row[i] ?? '').replace(/\s+/g, ' ').trim()))
  const widths = columns.map((c, i) => Math.max(c.heading.length, ...cells.map((row) => row[i]!.length)))
  const flexible = columns.findIndex((c) => c.flexible === true)
  const total = widths.reduce((n, w) => n + w, 0) + 2 * (columns.length - 1)
  if (flexible !== -1 && total > width) widths[flexible] = Math.max(10, widths[flexible]! - (total - width))
  const line = (row: readonly string[]) =>
    row
      .map((cell, i) => fit(cell, widths[i]!, i === row.length - 1))
      .join('  ')
      .trimEnd()
  return [line(columns.map((c) => c.heading)), ...cells.map(line)]
}

function fit(cell: string, width: number, last: boolean): string {
  const cut = cell.length > width ? `${cell.slice(0, width - 1)}…` : cell
  return last ? cut : cut.padEnd(width)
}

/**
 * A digest as tables show it: the algorithm and the first 8 hex digits (`sha256:abcd1234…`).
 *
 * @example
 * ```ts
 * shortDigest('sha256:abcd1234ef…') // 'sha256:abcd1234…'
 * ```
 */
export function shortDigest(digest: string): string {
  const [algorithm, hex] = digest.includes(':') ? (digest.split(':', 2) as [string, string]) : ['sha256', digest]
  return hex.length > 8 ? `${algorithm}:${hex.slice(0, 8)}…` : `${algorithm}:${hex}`
}
