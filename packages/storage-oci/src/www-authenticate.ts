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
  const challenges: AuthChallenge[] = []
  let i = 0
  const skipSpace = () => {
    while (i < header.length && /[\s,]/.test(header[i]!)) i++
  }
  const token = () => {
    const start = i
    while (i < header.length && /[!#$%&'*+\-.^_`|~0-9A-Za-z/=]/.test(header[i]!)) i++
    return header.slice(start, i)
  }
  const quoted = () => {
    let out = ''
    i++ // opening quote
    while (i < header.length && header[i] !== '"') {
      if (header[i] === '\\') i++
      out += header[i] ?? ''
      i++
    }
    i++ // closing quote
    return out
  }
  skipSpace()
  while (i < header.length) {
    const scheme = token()
    if (!scheme) break
    const challenge: AuthChallenge = { scheme: scheme.toLowerCase(), params: {} }
    challenges.push(challenge)
    for (;;) {
      while (i < header.length && /\s/.test(header[i]!)) i++
      const mark = i
      const name = /[A-Za-z0-9_-]/.test(header[i] ?? '') ? readName() : ''
      while (i < header.length && /\s/.test(header[i]!)) i++
      if (!name || header[i] !== '=') {
        i = mark // the next challenge's scheme (or token68, which we do not use)
        break
      }
      i++
      while (i < header.length && /\s/.test(header[i]!)) i++
      challenge.params[name.toLowerCase()] = header[i] === '"' ? quoted() : readValue()
      while (i < header.length && /\s/.test(header[i]!)) i++
      if (header[i] === ',') i++
    }
    skipSpace()
  }
  return challenges

  function readName(): string {
    const start = i
    while (i < header.length && /[A-Za-z0-9_-]/.test(header[i]!)) i++
    return header.slice(start, i)
  }
  function readValue(): string {
    const start = i
    while (i < header.length && !/[\s,]/.test(header[i]!)) i++
    return header.slice(start, i)
  }
}
