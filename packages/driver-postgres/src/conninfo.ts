/** A connection string taken apart: libpq keywords with decoded values. */
export interface Conninfo {
  /** Keyword → decoded value; a later setting of the same keyword wins, as in libpq. */
  params: Map<string, string>
  /** Secret values exactly as written in the input (before decoding), so they can be redacted too. */
  written: string[]
}

/** Why a connection string did not parse: fixed text that never quotes the input. */
export interface ConninfoFailure {
  reason: string
  /** The host, when it was read before the failure (safe to show: never part of the credentials). */
  host?: string
}

export type ConninfoResult = { ok: true; conninfo: Conninfo } | ({ ok: false } & ConninfoFailure)

/**
 * Decodes `%XX` escapes into UTF-8 text. A `%` that does not start an escape is
 * kept as it is (`100%sure`), where libpq would refuse the string; `%00` is
 * refused, since no protocol field can carry it. Null when refused.
 *
 * @example
 * ```ts
 * percentDecode('p%40ss') // 'p@ss'
 * percentDecode('100%sure') // '100%sure'
 * ```
 */
export function percentDecode(text: string): string | null {
  if (!text.includes('%')) return text
  const bytes: number[] = []
  for (let i = 0; i < text.length; i++) {
    const hex = text.slice(i + 1, i + 3)
    if (text[i] === '%' && /^[0-9a-fA-F]{2}$/.test(hex)) {
      const byte = parseInt(hex, 16)
      if (byte === 0) return null
      bytes.push(byte)
      i += 2
    } else {
      const char = String.fromCodePoint(text.codePointAt(i)!)
      bytes.push(...Buffer.from(char, 'utf8'))
      i += char.length - 1
    }
  }
  return Buffer.from(bytes).toString('utf8')
}

/**
 * The failure for a keyword libpq does not know, naming it only when it looks like
 * a keyword (a misparsed password never does: it is not quoted back).
 *
 * @example
 * ```ts
 * unknownKeyword('search_path') // { reason: '"search_path" is not a libpq connection parameter' }
 * ```
 */
export function unknownKeyword(key: string): ConninfoFailure {
  const named = /^[a-z_]{1,40}$/.test(key) ? `"${key}"` : 'a setting'
  return { reason: `${named} is not a libpq connection parameter` }
}
