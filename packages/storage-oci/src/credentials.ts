/**
 * What the client may present to a registry. A username/password pair is sent as
 * Basic, or exchanged for a Bearer token; an identity token is an OAuth2 refresh
 * token (what `docker login` stores for some registries); a registry token is
 * used as the Bearer token directly.
 */
export type RegistryCredentials =
  { username: string; password: string } | { identityToken: string } | { registryToken: string }

/**
 * Where credentials come from: fixed ones, or a lookup called once per registry
 * host when the registry first asks for authentication (so credential helpers
 * run only when needed). `undefined` means anonymous.
 */
export type CredentialSource = RegistryCredentials | ((registry: string) => Promise<RegistryCredentials | undefined>)

/**
 * The secret strings inside credentials, for scrubbing error text.
 *
 * @example
 * ```ts
 * secretsOf({ username: 'ci', password: 's3cret' }) // ['s3cret', 'Y2k6czNjcmV0']
 * ```
 */
export function secretsOf(credentials: RegistryCredentials | undefined): string[] {
  if (!credentials) return []
  if ('password' in credentials) return [credentials.password, basicValue(credentials)]
  if ('identityToken' in credentials) return [credentials.identityToken]
  return [credentials.registryToken]
}

/**
 * The value of a Basic `Authorization` header (without the scheme).
 *
 * @example
 * ```ts
 * basicValue({ username: 'ci', password: 's3cret' }) // 'Y2k6czNjcmV0'
 * ```
 */
export function basicValue(credentials: { username: string; password: string }): string {
  return Buffer.from(`${credentials.username}:${credentials.password}`, 'utf8').toString('base64')
}
