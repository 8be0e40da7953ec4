import { redactSecrets } from '@squizzle/core'

/**
 * A copy of a JSON-like value with every string scrubbed of `secrets` (and of
 * passwords in URLs), for rows the database keeps (audit details, history errors):
 * an error message from anywhere must not store the connection password.
 *
 * @example
 * ```ts
 * redactValues({ message: 'auth failed for s3cret' }, ['s3cret']) // { message: 'auth failed for ***' }
 * ```
 */
export function redactValues<T>(value: T, secrets: readonly string[]): T {
  if (typeof value === 'string') return redactSecrets(value, secrets) as T
  if (Array.isArray(value)) return value.map((v: unknown) => redactValues(v, secrets)) as T
  if (value === null || typeof value !== 'object' || value instanceof Date) return value
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(value)) out[k] = redactValues(v, secrets)
  return out as T
}
