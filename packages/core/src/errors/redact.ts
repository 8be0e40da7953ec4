/**
 * Removes the password from a connection or storage URL so it can be shown.
 *
 * @example
 * ```ts
 * redactUrl('postgres://app:s3cret@db:5432/prod') // 'postgres://app:***@db:5432/prod'
 * ```
 */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)([^@\s]*)@/i, '$1***@')
}

/**
 * Replaces every occurrence of the given secrets in `text` with `***`.
 * Used on error messages that embed text from a server or a child process.
 *
 * @example
 * ```ts
 * redactSecrets('auth failed for s3cret', ['s3cret']) // 'auth failed for ***'
 * ```
 */
export function redactSecrets(text: string, secrets: Iterable<string | undefined>): string {
  let out = redactUrl(text)
  for (const secret of secrets) {
    if (secret && secret.length >= 3) out = out.split(secret).join('***')
  }
  return out
}
