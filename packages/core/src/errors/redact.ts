// scheme://user: then the password, up to the last `@` before the next whitespace: a raw
// `@ : / ? #` in a password is common and Squizzle reads URLs that way too. The user may
// hold an `@` (Azure's user@server). Over-redacting a rare URL is the safe side.
const urlPassword = /\b([a-z][a-z0-9+.-]*:\/\/[^:/\s]*:)\S*@/gi
// password=… in a URL query or a libpq keyword/value string, quoted or not.
const passwordSetting = /\b((?:ssl)?password\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s&'"]+)/gi

/**
 * Removes the password from a connection or storage URL (user info and
 * `password=` settings) so it can be shown; also inside a longer text.
 *
 * @example
 * ```ts
 * redactUrl('postgres://app:s3cret@db:5432/prod') // 'postgres://app:***@db:5432/prod'
 * ```
 */
export function redactUrl(url: string): string {
  return url.replace(urlPassword, '$1***@').replace(passwordSetting, '$1***')
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
