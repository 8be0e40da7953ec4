/**
 * Text wrapped to `width` columns, line by line. A line that sets out a term and its
 * description (`  --dry-run   print the plan`) continues under the description; any
 * other line continues two columns deeper than it starts. Words are never broken: one
 * too long for the room under the description starts further left, and one longer than
 * the whole width stands on its own line.
 *
 * @example
 * ```ts
 * wrapText('  --to VERSION   undo every applied version above VERSION', 40)
 * // '  --to VERSION   undo every applied\n                 version above VERSION'
 * ```
 */
export function wrapText(text: string, width: number): string {
  return text
    .split('\n')
    .map((line) => wrapLine(line, width))
    .join('\n')
}

function wrapLine(line: string, width: number): string {
  if (line.length <= width) return line
  const hang = hangingIndent(line, width)
  const lines: string[] = []
  let rest = line
  let indent = ''
  while (indent.length + rest.length > width) {
    const room = width - indent.length
    let cut = rest.lastIndexOf(' ', room)
    // Spaces inside the indentation or the term column are no place to break.
    const start = lines.length === 0 ? hang : 0
    if (cut <= start) cut = rest.indexOf(' ', Math.max(room, start + 1))
    if (cut === -1) break
    lines.push(indent + rest.slice(0, cut).trimEnd())
    rest = rest.slice(cut + 1).trimStart()
    // A word too long for the room under the description moves left as far as it needs to fit.
    const word = rest.split(' ', 1)[0]!.length
    indent = ' '.repeat(Math.max(0, Math.min(hang, width - word)))
  }
  lines.push(indent + rest)
  return lines.join('\n')
}

/** Where continuation lines start: under a description column, else two past the line's indentation. */
function hangingIndent(line: string, width: number): number {
  const leading = /^ */.exec(line)![0].length
  const column = /^( *\S.*?\S? {2,})\S/.exec(line)
  const hang = column && column[1]!.length <= width / 2 ? column[1]!.length : leading + 2
  return Math.min(hang, Math.floor(width / 2))
}
