/** ANSI styling that switches itself off for NO_COLOR, --no-color and non-TTY streams. */
export interface Colors {
  bold(s: string): string
  dim(s: string): string
  red(s: string): string
  green(s: string): string
  yellow(s: string): string
  cyan(s: string): string
}

const plain: Colors = { bold: (s) => s, dim: (s) => s, red: (s) => s, green: (s) => s, yellow: (s) => s, cyan: (s) => s }

const wrap = (open: number, close: number) => (s: string) => `\u001b[${open}m${s}\u001b[${close}m`

/**
 * Colors for a stream, or plain text when colour is off.
 *
 * @example
 * ```ts
 * const c = colorsFor(process.stderr.isTTY === true && !process.env.NO_COLOR)
 * ```
 */
export function colorsFor(enabled: boolean): Colors {
  if (!enabled) return plain
  return { bold: wrap(1, 22), dim: wrap(2, 22), red: wrap(31, 39), green: wrap(32, 39), yellow: wrap(33, 39), cyan: wrap(36, 39) }
}
