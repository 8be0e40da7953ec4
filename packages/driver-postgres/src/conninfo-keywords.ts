/**
 * libpq's connection keywords (`PQconninfoOptions` in fe-connect.c), split by what
 * the driver does with them. A keyword libpq does not know is refused, as libpq
 * refuses it ("invalid URI query parameter"), so a typo never passes silently.
 */

/** Keywords the driver honours (see `clientSettings`). */
export const supportedKeywords = [
  'host',
  'port',
  'dbname',
  'user',
  'password',
  'sslmode',
  'sslrootcert',
  'sslcert',
  'sslkey',
  'sslpassword',
  'sslnegotiation',
  'sslsni',
  'connect_timeout',
  'application_name',
  'fallback_application_name',
  'options',
  'target_session_attrs',
  'keepalives',
  'keepalives_idle',
  'client_encoding',
  'channel_binding',
  'gssencmode',
] as const

/** Keywords libpq knows that postgres.js cannot honour: refused with a usage error, never ignored. */
export const unsupportedKeywords = [
  'hostaddr',
  'passfile',
  'service',
  'requiressl',
  'sslcompression',
  'sslcrl',
  'sslcrldir',
  'sslcertmode',
  'requirepeer',
  'ssl_min_protocol_version',
  'ssl_max_protocol_version',
  'krbsrvname',
  'gsslib',
  'gssdelegation',
  'tcp_user_timeout',
  'keepalives_interval',
  'keepalives_count',
  'replication',
  'load_balance_hosts',
  'require_auth',
  'min_protocol_version',
  'max_protocol_version',
] as const

/** Keywords whose values are secrets: never displayed, always redacted. */
export const secretKeywords: ReadonlySet<string> = new Set(['password', 'sslpassword'])

const known: ReadonlySet<string> = new Set<string>([...supportedKeywords, ...unsupportedKeywords])

/**
 * True for a keyword libpq accepts in a connection string or URI query.
 *
 * @example
 * ```ts
 * isConninfoKeyword('sslmode') // true
 * isConninfoKeyword('search_path') // false (use options=-c search_path=…)
 * ```
 */
export function isConninfoKeyword(keyword: string): boolean {
  return known.has(keyword)
}
