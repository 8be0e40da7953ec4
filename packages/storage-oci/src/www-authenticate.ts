/** One `WWW-Authenticate` challenge: a scheme and its parameters (names lower-cased). */
export interface AuthChallenge {
  scheme: 'basic' | 'bearer' | string
  params: Record<string, string>
}

/**
 * Parses a `WWW-Authenticate` header (RFC 7235: tokens and quoted strings, several
 * challenges separated by commas). Returns the challenges in order; unknown schemes
 * are kept so the caller can name them in an error.
 *
 * @example
 * ```ts
 * parseChallenges('Bearer realm="https://auth.io/token",service="reg",scope="repository:a:pull"')
 * // [{ scheme: 'bearer', params: { realm: 'https://auth.io/token', service: 'reg', scope: 'repository:a:pull' } }]
 * ```
 */
export function parseChallenges(header: string): AuthChallenge[] {
  const cursor = new HeaderCursor(header)
  const challenges: AuthChallenge[] = []
  cursor.skip(/[\s,]/)
  while (!cursor.done()) {
    const scheme = cursor.take(tokenChar)
    if (!scheme) break
    challenges.push({ scheme: scheme.toLowerCase(), params: readParams(cursor) })
    cursor.skip(/[\s,]/)
  }
  return challenges
}

/** A character of an RFC 7230 token (with `/` and `=`, so a token68 is read whole). */
const tokenChar = /[!#$%&'*+\-.^_`|~0-9A-Za-z/=]/

/** A challenge's `name=value` parameters, up to the next challenge's scheme (or a token68, which we do not use). */
function readParams(cursor: HeaderCursor): Record<string, string> {
  const params: Record<string, string> = {}
  for (;;) {
    cursor.skip(/\s/)
    const mark = cursor.at
    const name = cursor.take(/[A-Za-z0-9_-]/)
    cursor.skip(/\s/)
    if (!name || cursor.peek() !== '=') {
      cursor.at = mark
      return params
    }
    cursor.at++
    cursor.skip(/\s/)
    params[name.toLowerCase()] = cursor.peek() === '"' ? cursor.quoted() : cursor.take(/[^\s,]/)
    cursor.skip(/\s/)
    if (cursor.peek() === ',') cursor.at++
  }
}

/** A position in the header text, read one character class at a time. */
class HeaderCursor {
  at = 0

  constructor(private readonly text: string) {}

  done(): boolean {
    return this.at >= this.text.length
  }

  peek(): string | undefined {
    return this.text[this.at]
  }

  /** Moves past characters matching `char` (a one-character pattern). */
  skip(char: RegExp): void {
    while (this.at < this.text.length && char.test(this.text[this.at]!)) this.at++
  }

  /** The run of characters matching `char` from here (possibly empty), moving past it. */
  take(char: RegExp): string {
    const start = this.at
    this.skip(char)
    return this.text.slice(start, this.at)
  }

  /** A quoted string from its opening quote, with backslash escapes resolved, moving past its closing quote. */
  quoted(): string {
    let out = ''
    this.at++
    while (this.at < this.text.length && this.text[this.at] !== '"') {
      if (this.text[this.at] === '\\') this.at++
      out += this.text[this.at] ?? ''
      this.at++
    }
    this.at++
    return out
  }
}
