import { SquizzleError } from '@squizzle/core'
import { unsupportedKeywords } from './conninfo-keywords.js'
import { validPort } from './conninfo-uri.js'

export type SslMode = 'disable' | 'allow' | 'prefer' | 'require' | 'verify-ca' | 'verify-full'
type SessionAttrs = 'read-write' | 'read-only' | 'primary' | 'standby' | 'prefer-standby'

/** The settings of a connection string, validated; what the driver connects with and nothing else. */
export interface ClientSettings {
  /** Host names, addresses or one Unix-socket directory; empty: PGHOST, else localhost (as libpq). */
  hosts: string[]
  /** One port per host, or one for all; undefined entries take PGPORT, else 5432. */
  ports: (number | undefined)[]
  database?: string
  user?: string
  password?: string
  sslMode?: SslMode
  sslRootCert?: string
  sslCert?: string
  sslKey?: string
  sslPassword?: string
  sslNegotiation?: 'postgres' | 'direct'
  connectTimeoutSeconds?: number
  applicationName?: string
  /** libpq's `options`: command-line options sent to the server at connection start (`-c search_path=app`). */
  startupOptions?: string
  targetSessionAttrs?: SessionAttrs
  keepAliveSeconds?: number | null
}

const sslModes: readonly SslMode[] = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full']
const sessionAttrs: readonly (SessionAttrs | 'any')[] = [
  'any',
  'read-write',
  'read-only',
  'primary',
  'standby',
  'prefer-standby',
]

/**
 * Validates libpq settings and keeps those the driver honours. A keyword libpq knows
 * but postgres.js cannot honour (`passfile`, `service`, `channel_binding=require`, …)
 * is a usage error, never silently dropped. Messages name the keyword, never its value.
 *
 * @example
 * ```ts
 * clientSettings(new Map([['host', 'db'], ['sslmode', 'require']])) // { hosts: ['db'], ports: [], sslMode: 'require' }
 * ```
 */
export function clientSettings(params: ReadonlyMap<string, string>): ClientSettings {
  for (const key of unsupportedKeywords) if (params.has(key)) throw unsupported(key)
  refuseUnsupportedValues(params)
  const get = (key: string): string | undefined => (params.get(key) === '' ? undefined : params.get(key))
  const { hosts, ports } = hostsAndPorts(get('host'), get('port'))
  const sslMode = oneOf(get('sslmode'), sslModes, 'sslmode')
  const sslRootCert = get('sslrootcert')
  if (sslRootCert === 'system' && sslMode !== undefined && sslMode !== 'verify-full') {
    const hint = 'Drop sslmode (it then defaults to verify-full) or set sslmode=verify-full.'
    throw usage('sslrootcert=system needs sslmode=verify-full', hint)
  }
  const attrs = oneOf(get('target_session_attrs'), sessionAttrs, 'target_session_attrs')
  const negotiation = oneOf(get('sslnegotiation'), ['postgres', 'direct'] as const, 'sslnegotiation')
  const settings: ClientSettings = { hosts, ports }
  assign(settings, {
    database: get('dbname'),
    user: get('user'),
    password: get('password'),
    sslMode: sslMode ?? (sslRootCert === 'system' ? 'verify-full' : undefined),
    sslRootCert,
    sslCert: get('sslcert'),
    sslKey: get('sslkey'),
    sslPassword: get('sslpassword'),
    sslNegotiation: negotiation,
    connectTimeoutSeconds: connectTimeout(get('connect_timeout')),
    applicationName: get('application_name') ?? get('fallback_application_name'),
    startupOptions: get('options'),
    targetSessionAttrs: attrs === 'any' ? undefined : attrs,
    keepAliveSeconds: keepAlive(get('keepalives'), get('keepalives_idle')),
  })
  return settings
}

function hostsAndPorts(host: string | undefined, port: string | undefined): Pick<ClientSettings, 'hosts' | 'ports'> {
  const hosts = host === undefined ? [] : host.split(',')
  const ports = port === undefined ? [] : port.split(',').map((p) => (p === '' ? undefined : p))
  if (ports.some((p) => p !== undefined && !validPort(p))) {
    throw usage('port must be a number from 1 to 65535', 'Fix the port in the connection URL.')
  }
  if (ports.length > 1 && ports.length !== Math.max(hosts.length, 1)) {
    const hint = 'Give one port for all hosts, or one per host (host=a,b port=5432,5433).'
    throw usage('the connection string names a different number of hosts and ports', hint)
  }
  if (hosts.length > 1 && hosts.some((h) => h.startsWith('/'))) {
    const hint = 'Connect to the socket directory alone, or list only TCP hosts.'
    throw usage('a Unix-socket directory cannot be one of several hosts', hint)
  }
  return { hosts, ports: ports.map((p) => (p === undefined ? undefined : Number(p))) }
}

// Values libpq accepts that would make postgres.js do less than asked: refused instead.
function refuseUnsupportedValues(params: ReadonlyMap<string, string>): void {
  const allowed: Record<string, readonly string[]> = {
    channel_binding: ['disable', 'prefer'],
    gssencmode: ['disable', 'allow', 'prefer'],
    sslsni: ['1'],
    client_encoding: ['UTF8', 'utf8', 'UTF-8', 'utf-8', 'auto'],
    keepalives: ['0', '1'],
  }
  for (const [key, values] of Object.entries(allowed)) {
    const value = params.get(key)
    if (value !== undefined && value !== '' && !values.includes(value)) {
      throw unsupported(`${key} other than ${values.join(', ')}`)
    }
  }
}

function connectTimeout(text: string | undefined): number | undefined {
  if (text === undefined) return undefined
  if (!/^\d{1,6}$/.test(text)) {
    throw usage('connect_timeout must be a number of seconds', 'Use e.g. connect_timeout=10.')
  }
  // As in libpq: 0 means the default, and anything shorter than 2 s is 2 s.
  return Number(text) === 0 ? undefined : Math.max(2, Number(text))
}

function keepAlive(enabled: string | undefined, idle: string | undefined): number | null | undefined {
  if (enabled === '0') return null
  if (idle === undefined) return undefined
  if (!/^\d{1,6}$/.test(idle)) {
    throw usage('keepalives_idle must be a number of seconds', 'Use e.g. keepalives_idle=60.')
  }
  return Number(idle)
}

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], key: string): T | undefined {
  if (value === undefined || (allowed as readonly string[]).includes(value)) return value as T | undefined
  throw usage(`${key} must be one of ${allowed.join(', ')}`, `Fix ${key} in the connection string.`)
}

function assign(target: ClientSettings, values: Partial<ClientSettings>): void {
  const fields = target as unknown as Record<string, unknown>
  for (const [key, value] of Object.entries(values)) if (value !== undefined) fields[key] = value
}

function unsupported(what: string): SquizzleError {
  return usage(
    `the connection setting ${what} is not supported by the PostgreSQL driver (postgres.js)`,
    'Remove it from the connection string; see the @squizzle/driver-postgres README for the settings it honours.',
  )
}

function usage(message: string, hint: string): SquizzleError {
  return new SquizzleError('USAGE', message, { hint })
}
