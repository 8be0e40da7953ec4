import { unknownKeyword, type ConninfoResult } from './conninfo.js'
import { isConninfoKeyword, secretKeywords } from './conninfo-keywords.js'

/**
 * Parses a libpq keyword/value string (`host=db port=5432 dbname=app password='se cret'`)
 * as libpq's `conninfo_parse` does: whitespace separates settings, spaces around `=`
 * are allowed, a value may be single-quoted, and a backslash escapes the next
 * character (`\'`, `\\`). Unknown keywords are refused.
 *
 * @example
 * ```ts
 * parseConninfoPairs("host=db user=app password='it\\'s a secret'")
 * // params: host db, user app, password it's a secret
 * ```
 */
export function parseConninfoPairs(text: string): ConninfoResult {
  const params = new Map<string, string>()
  const written: string[] = []
  let i = skipSpace(text, 0)
  while (i < text.length) {
    const keyStart = i
    while (i < text.length && text[i] !== '=' && !isSpace(text[i]!)) i++
    const key = text.slice(keyStart, i)
    i = skipSpace(text, i)
    if (text[i] !== '=' || key === '') return { ok: false, reason: 'a setting is not keyword=value' }
    i = skipSpace(text, i + 1)
    const value = readValue(text, i)
    if (!value) return { ok: false, reason: 'a quoted value is not terminated' }
    if (!isConninfoKeyword(key)) return { ok: false, ...unknownKeyword(key) }
    if (secretKeywords.has(key)) written.push(value.written)
    params.set(key, value.text)
    i = skipSpace(text, value.end)
  }
  if (params.size === 0) return { ok: false, reason: 'it is empty' }
  return { ok: true, conninfo: { params, written } }
}

function readValue(text: string, start: number): { text: string; written: string; end: number } | null {
  const quoted = text[start] === "'"
  let i = quoted ? start + 1 : start
  let out = ''
  for (; i < text.length; i++) {
    const char = text[i]!
    if (char === '\\' && i + 1 < text.length) {
      out += text[++i]
      continue
    }
    if (quoted ? char === "'" : isSpace(char)) break
    out += char
  }
  if (quoted && text[i] !== "'") return null
  return { text: out, written: text.slice(quoted ? start + 1 : start, i), end: quoted ? i + 1 : i }
}

function skipSpace(text: string, i: number): number {
  while (i < text.length && isSpace(text[i]!)) i++
  return i
}

function isSpace(char: string): boolean {
  return char === ' ' || char === '\t' || char === '\n' || char === '\r' || char === '\f' || char === '\v'
}
