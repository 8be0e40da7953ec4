import { isSquizzleError, SquizzleError } from '@squizzle/core'
import { clientOptions, type ClientOptions } from './client-options.js'
import { clientSettings, type ClientSettings } from './client-settings.js'
import type { Conninfo, ConninfoResult } from './conninfo.js'
import { secretKeywords } from './conninfo-keywords.js'
import { parseConninfoPairs } from './conninfo-pairs.js'
import { parseConninfoUri, uriPrefixLength } from './conninfo-uri.js'
import { secretForms } from './secret-forms.js'

/** A parsed PostgreSQL connection string with what may be shown apart from what must not. */
export interface ConnectionTarget {
  /** `postgres://app:***@db:5432/prod?sslmode=require`: built from the parsed settings, never a secret. */
  display: string
  /** Every form of every secret (as written, decoded, percent-encoded), to scrub from any text shown. */
  secrets: string[]
  /** The validated settings the driver connects with. */
  settings: ClientSettings
  /** postgres.js options for these settings (reads the TLS files they name). */
  clientOptions(): ClientOptions
  /** A connection URL for the same server and credentials on database `name` (scratch databases). */
  urlForDatabase(name: string): string
}

/**
 * Parses a PostgreSQL connection URI (`postgres://…`, libpq rules, see
 * {@link parseConninfoUri}) or a libpq keyword/value string (`host=db password=…`).
 * A string that does not parse is a `USAGE` error that shows the scheme and host only.
 *
 * @example
 * ```ts
 * parseConnectionUrl('postgres://app:p@ss@db/prod').display // 'postgres://app:***@db/prod'
 * parseConnectionUrl('host=db dbname=prod user=app password=s3cret').display // 'postgres://app:***@db/prod'
 * ```
 */
export function parseConnectionUrl(text: string): ConnectionTarget {
  const result = parseConninfo(text)
  if (!result.ok) throw invalid(text, result.reason, result.host)
  const { params, written } = result.conninfo
  const settings = settingsOf(text, params)
  return {
    display: urlOf(params, true),
    secrets: secretForms([...written, ...[...secretKeywords].map((k) => params.get(k) ?? '')]),
    settings,
    clientOptions: () => clientOptions(settings),
    urlForDatabase: (name) => urlOf(new Map([...params, ['dbname', name]]), false),
  }
}

/**
 * Every value to keep out of output for a connection string, also when it does not
 * parse (then a guess: everything between the scheme and the last `@`, and any
 * `password=` value), so even a mistyped URL never leaks through a later message.
 *
 * @example
 * ```ts
 * connectionSecrets('postgres://app:100%sure@db/prod') // ['100%sure', …]
 * ```
 */
export function connectionSecrets(text: string): string[] {
  const result = parseConninfo(text)
  if (result.ok) {
    const { params, written } = result.conninfo
    return secretForms([...written, ...[...secretKeywords].map((k) => params.get(k) ?? '')])
  }
  const rest = text.slice(uriPrefixLength(text))
  const userinfo = rest.includes('@') ? rest.slice(0, rest.lastIndexOf('@')) : ''
  const guesses = [userinfo, userinfo.slice(userinfo.indexOf(':') + 1)]
  for (const match of text.matchAll(/password\s*=\s*('(?:[^'\\]|\\.)*'|[^&\s]+)/g)) {
    guesses.push(match[1]!.replace(/^'|'$/g, ''))
  }
  return secretForms(guesses)
}

function settingsOf(text: string, params: Conninfo['params']): ClientSettings {
  try {
    return clientSettings(params)
  } catch (err) {
    if (!isSquizzleError(err)) throw err
    throw invalid(text, err.message, params.get('host')?.split(',')[0], err.hint)
  }
}

function parseConninfo(text: string): ConninfoResult {
  if (uriPrefixLength(text) > 0) return parseConninfoUri(text)
  if (/^\s*[A-Za-z_]+\s*=/.test(text)) return parseConninfoPairs(text)
  return { ok: false, reason: 'it is neither a postgres:// URL nor a keyword=value connection string' }
}

/** A canonical URI for the settings: percent-encoded, secrets as `***` when `masked`. */
function urlOf(params: Conninfo['params'], masked: boolean): string {
  const enc = encodeURIComponent
  const user = params.get('user') ?? ''
  const password = params.get('password')
  const secret = password === undefined ? '' : `:${masked ? '***' : enc(password)}`
  const credentials = password !== undefined || user ? `${enc(user)}${secret}@` : ''
  const dbname = params.get('dbname')
  const path = dbname === undefined ? '' : `/${enc(dbname)}`
  const structural = ['user', 'password', 'host', 'port', 'dbname']
  const query = [...params]
    .filter(([k]) => !structural.includes(k) && !(masked && secretKeywords.has(k)))
    .map(([k, v]) => `${k}=${enc(v)}`)
  return `postgres://${credentials}${netlocOf(params)}${path}${query.length ? `?${query.join('&')}` : ''}`
}

/** `host:port,host2:port2`, IPv6 addresses in brackets, a socket directory percent-encoded. */
function netlocOf(params: Conninfo['params']): string {
  const hosts = (params.get('host') ?? '').split(',')
  const ports = (params.get('port') ?? '').split(',')
  return hosts
    .map((host, i) => {
      const port = ports[ports.length === 1 ? 0 : i]
      const name = host.includes(':') ? `[${host}]` : host.startsWith('/') ? encodeURIComponent(host) : host
      return port ? `${name}:${port}` : name
    })
    .join(',')
}

function invalid(text: string, reason: string, host: string | undefined, hint?: string): SquizzleError {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(text)?.[0] ?? ''
  const where = host && /^[A-Za-z0-9.:_-]+$/.test(host) ? host : '…'
  const shown = scheme ? `"${scheme.toLowerCase()}${where}"` : 'the connection string'
  return new SquizzleError('USAGE', `${shown} is not a valid PostgreSQL connection URL: ${reason}`, {
    hint:
      hint ??
      'Write postgres://HOST:PORT/DATABASE with USER:PASSWORD@ before the host (percent-encode spaces and "&" in the ' +
        'password), or libpq keywords: host=HOST port=PORT dbname=DATABASE user=USER and the password.',
  })
}
