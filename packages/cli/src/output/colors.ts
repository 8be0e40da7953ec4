import { randomBytes } from 'node:crypto'
import { unsafeCharacters, visibleEscape } from './terminal-text.js'

/** ANSI styling that switches itself off for NO_COLOR, --no-color and non-TTY streams. */
export interface Colors {
  bold(s: string): string
  dim(s: string): string
  red(s: string): string
  green(s: string): string
  yellow(s: string): string
  cyan(s: string): string
}

/** Colours plus the one function that turns styled text into what may reach a terminal. */
export interface TerminalStyle {
  colors: Colors
  /** Escapes every unsafe character (see `unsafeCharacters`) and turns this style's colour marks into SGR codes. */
  render(text: string): string
}

const plain: Colors = {
  bold: (s) => s,
  dim: (s) => s,
  red: (s) => s,
  green: (s) => s,
  yellow: (s) => s,
  cyan: (s) => s,
}

/**
 * Colours for a stream, or plain text when colour is off. Colours are written as
 * marks (NUL, a per-process random nonce, the SGR code) that only `render` turns
 * into escape sequences: an ESC that came with untrusted text is escaped like any
 * other control character, and such text cannot forge a mark.
 *
 * @example
 * ```ts
 * const style = terminalStyle(process.stdout.isTTY === true && !process.env.NO_COLOR)
 * process.stdout.write(style.render(`${style.colors.green('✓')} ${sqlFromElsewhere}\n`))
 * ```
 */
export function terminalStyle(enabled: boolean): TerminalStyle {
  const nonce = randomBytes(8).toString('hex')
  const pattern = new RegExp(`\u0000${nonce}(\\d{1,2})m|${unsafeCharacters.source}`, 'g')
  const render = (text: string): string =>
    text.replace(pattern, (match, code?: string) => (code === undefined ? visibleEscape(match) : `\u001b[${code}m`))
  if (!enabled) return { colors: plain, render }
  const wrap = (open: number, close: number) => (s: string) => `\u0000${nonce}${open}m${s}\u0000${nonce}${close}m`
  const colors: Colors = {
    bold: wrap(1, 22),
    dim: wrap(2, 22),
    red: wrap(31, 39),
    green: wrap(32, 39),
    yellow: wrap(33, 39),
    cyan: wrap(36, 39),
  }
  return { colors, render }
}
