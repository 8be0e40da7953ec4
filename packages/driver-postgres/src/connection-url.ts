import { redactUrl, SquizzleError } from '@squizzle/core'

/** A parsed PostgreSQL URL with what may be shown apart from what must not. */
export interface ConnectionTarget {
  url: string
  /** The URL with its password replaced by `***`. */
  display: string
  /** Secrets to scrub from any text that reaches the user. */
  secrets: string[]
}

/**
 * Checks a PostgreSQL URL and prepares a display form without the password.
 *
 * @example
 * ```ts
 * parseConnectionUrl('postgres://app:pw@db/prod').display // 'postgres://app:***@db/prod'
 * ```
 */
export function parseConnectionUrl(url: string): ConnectionTarget {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw invalid(redactUrl(url))
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') throw invalid(redactUrl(url))
  const password = decodeURIComponent(parsed.password)
  const fromQuery = parsed.searchParams.get('password')
  const secrets = [password, parsed.password, fromQuery ?? ''].filter((s) => s.length > 0)
  const shown = new URL(url)
  if (shown.password) shown.password = '***'
  if (shown.searchParams.has('password')) shown.searchParams.set('password', '***')
  return { url, display: shown.toString().replace('%2A%2A%2A', '***'), secrets }
}

function invalid(shown: string): SquizzleError {
  return new SquizzleError('USAGE', `"${shown}" is not a PostgreSQL URL`, {
    hint: 'Use postgres://USER:PASSWORD@HOST:PORT/DATABASE (set DATABASE_URL or pass --database-url).',
  })
}
