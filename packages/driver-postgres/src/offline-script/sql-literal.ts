import { randomBytes } from 'node:crypto'

/**
 * A PostgreSQL string constant holding exactly `text`: dollar-quoted with a random
 * tag that does not occur in it, so no quote, backslash, `$$` or psql `:variable`
 * inside can end it early or change it (psql does not interpolate inside dollar
 * quotes, and `standard_conforming_strings` does not matter). NUL, which no
 * PostgreSQL text can hold, is refused.
 *
 * @example
 * ```ts
 * quoteLiteral("it's") // "$sq_3f9a1c2b$it's$sq_3f9a1c2b$"
 * ```
 */
export function quoteLiteral(text: string): string {
  if (text.includes('\u0000')) throw new RangeError('a PostgreSQL text value cannot hold a NUL character')
  for (;;) {
    const tag = `$sq_${randomBytes(4).toString('hex')}$`
    // The first place the tag occurs after the opening one must be the closing one (text ending in
    // `$sq_1234` would otherwise close early, joined with the closing tag's first `$`).
    if (`${text}${tag}`.indexOf(tag) === text.length) return `${tag}${text}${tag}`
  }
}

/**
 * A nullable value as a literal: `NULL`, or {@link quoteLiteral}.
 *
 * @example
 * ```ts
 * literalOrNull(null) // 'NULL'
 * ```
 */
export function literalOrNull(text: string | null): string {
  return text === null ? 'NULL' : quoteLiteral(text)
}

/**
 * A `DO` block running `body` (PL/pgSQL), quoted like a literal.
 *
 * @example
 * ```ts
 * doBlock("IF 1 = 2 THEN RAISE EXCEPTION 'no'; END IF;")
 * ```
 */
export function doBlock(body: string): string {
  return `DO ${quoteLiteral(`\nBEGIN\n${body}\nEND\n`)};`
}
