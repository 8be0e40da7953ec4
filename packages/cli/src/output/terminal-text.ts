/**
 * Characters in text from elsewhere (SQL, object names, registry bytes) that can
 * drive a terminal: C0 controls but tab and line feed, DEL, C1 controls (U+0080–U+009F,
 * CSI among them) and the bidi embeddings, overrides and isolates that reorder what a
 * reader sees (U+202A–U+202E, U+2066–U+2069). A carriage return counts too, unless it
 * ends a line (`\r\n`), where it cannot overwrite anything.
 */
export const unsafeCharacters =
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]|\r(?!\n)/

/**
 * The visible escape for one unsafe character: `\x1b`, `\x9b`, `\u202e`.
 *
 * @example
 * ```ts
 * visibleEscape('\u001b') // '\\x1b'
 * ```
 */
export function visibleEscape(char: string): string {
  const code = char.codePointAt(0)!
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`
}

/**
 * JSON text with the characters JSON.stringify leaves raw but a terminal obeys
 * (DEL, C1, bidi controls) written as `\u` escapes: the same JSON value, safe to print.
 *
 * @example
 * ```ts
 * escapeJsonControls(JSON.stringify({ name: 'a\u202eb' })) // '{"name":"a\\u202eb"}'
 * ```
 */
export function escapeJsonControls(json: string): string {
  const escape = (c: string): string => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`
  return json.replace(/[\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, escape)
}
