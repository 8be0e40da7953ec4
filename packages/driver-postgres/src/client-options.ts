import { readFileSync } from 'node:fs'
import type { ConnectionOptions as TlsOptions } from 'node:tls'
import { SquizzleError } from '@squizzle/core'
import type { Options, PostgresType } from 'postgres'
import type { ClientSettings } from './client-settings.js'

/**
 * What postgres.js is given. Every setting is explicit, so postgres.js never parses
 * a URL of its own (its parser disagrees with libpq on raw `@`, `%`, `#`, `?` and on
 * `?password=`). Host and port lists are arrays, which postgres.js accepts at runtime
 * although its `Options` type narrows them to one value.
 */
export type ClientOptions = Omit<Options<Record<string, PostgresType>>, 'host' | 'port'> & {
  host?: string[]
  port?: number | number[]
  sslnegotiation?: 'postgres' | 'direct'
}

/**
 * postgres.js options for validated settings; reads the TLS files they name.
 * What is left unset falls back as in libpq (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE).
 *
 * @example
 * ```ts
 * const sql = postgres(asPostgresOptions({ ...clientOptions(settings), max: 1 }))
 * ```
 */
export function clientOptions(s: ClientSettings): ClientOptions {
  const options: ClientOptions = { ...endpoint(s) }
  if (s.database !== undefined) options.database = s.database
  if (s.user !== undefined) options.user = s.user
  if (s.password !== undefined) options.pass = s.password
  const ssl = sslOption(s)
  if (ssl !== undefined) options.ssl = ssl
  if (s.sslNegotiation !== undefined) options.sslnegotiation = s.sslNegotiation
  if (s.targetSessionAttrs !== undefined) options.target_session_attrs = s.targetSessionAttrs
  if (s.keepAliveSeconds !== undefined) options.keep_alive = s.keepAliveSeconds
  if (s.startupOptions !== undefined) options.connection = { options: s.startupOptions }
  return options
}

function endpoint(s: ClientSettings): Pick<ClientOptions, 'host' | 'port' | 'path'> {
  const defaultPort = Number(process.env['PGPORT']) || 5432
  const portOf = (i: number): number => s.ports[s.ports.length === 1 ? 0 : i] ?? defaultPort
  const socketDir = s.hosts.length === 1 && s.hosts[0]!.startsWith('/') ? s.hosts[0]! : undefined
  if (socketDir !== undefined) return { path: `${socketDir.replace(/\/$/, '')}/.s.PGSQL.${portOf(0)}` }
  if (s.hosts.length > 0) return { host: s.hosts.map((h) => h || 'localhost'), port: s.hosts.map((_, i) => portOf(i)) }
  return s.ports.length > 0 ? { port: portOf(0) } : {}
}

function sslOption(s: ClientSettings): ClientOptions['ssl'] {
  const mode = s.sslMode
  if (mode === undefined) return undefined
  if (mode === 'disable') return false
  const files: TlsOptions = {}
  if (s.sslRootCert !== undefined && s.sslRootCert !== 'system') files.ca = readTlsFile(s.sslRootCert, 'sslrootcert')
  if (s.sslCert !== undefined) files.cert = readTlsFile(s.sslCert, 'sslcert')
  if (s.sslKey !== undefined) files.key = readTlsFile(s.sslKey, 'sslkey')
  if (s.sslPassword !== undefined) files.passphrase = s.sslPassword
  if (Object.keys(files).length === 0 && mode !== 'verify-ca') return mode === 'allow' ? 'prefer' : mode
  // As in libpq: with a root certificate, require verifies the chain like verify-ca.
  const verify = mode === 'verify-ca' || mode === 'verify-full' || (mode === 'require' && files.ca !== undefined)
  // Every mode but verify-full accepts a certificate issued for another host name.
  const anyHost = mode === 'verify-full' ? {} : { checkServerIdentity: () => undefined }
  return { ...files, rejectUnauthorized: verify, ...anyHost }
}

function readTlsFile(path: string, key: string): Buffer {
  try {
    return readFileSync(path)
  } catch (cause) {
    throw new SquizzleError('USAGE', `cannot read ${path}, the file ${key} names`, {
      hint: `Check the ${key} path in the connection string and that this user may read it.`,
      cause,
    })
  }
}

/**
 * The same options typed as postgres.js's `Options`: the one place the host and
 * port arrays (accepted at runtime, see {@link ClientOptions}) meet its narrower type.
 *
 * @example
 * ```ts
 * const sql = postgres(asPostgresOptions({ ...clientOptions(settings), max: 1 }))
 * ```
 */
export function asPostgresOptions(options: ClientOptions): Options<Record<string, PostgresType>> {
  return options as unknown as Options<Record<string, PostgresType>>
}
