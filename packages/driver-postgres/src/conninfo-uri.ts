import { percentDecode, unknownKeyword, type Conninfo, type ConninfoFailure, type ConninfoResult } from './conninfo.js'
import { isConninfoKeyword, secretKeywords } from './conninfo-keywords.js'

const prefixes = ['postgresql://', 'postgres://']

type Parsed<T> = ({ ok: true } & T) | ({ ok: false } & ConninfoFailure)
interface Location {
  hosts: string[]
  ports: string[]
  dbname: string | undefined
  query: [string, string][]
  written: string[]
}

/**
 * Length of the `postgresql://` or `postgres://` prefix, or 0 when `text` is not a URI.
 *
 * @example
 * ```ts
 * uriPrefixLength('postgres://db/app') // 11
 * ```
 */
export function uriPrefixLength(text: string): number {
  const lower = text.slice(0, 13).toLowerCase()
  return prefixes.find((p) => lower.startsWith(p))?.length ?? 0
}

/**
 * Parses `postgresql://[user[:password]@][host][:port][,…][/dbname][?keyword=value&…]`
 * as libpq's `conninfo_uri_parse` does, with one difference: a password may hold
 * unencoded `@ : / ? # %`. The credentials end at the last `@` before the host: the
 * first `@` after which a valid host list, database name and query follow (neither
 * host nor database name may contain a raw `@`, and every query keyword must be one
 * libpq knows). Values are percent-decoded.
 *
 * @example
 * ```ts
 * parseConninfoUri('postgres://app:p@ss:w/rd@db:5432/prod') // params: user app, password p@ss:w/rd, host db, …
 * ```
 */
export function parseConninfoUri(text: string): ConninfoResult {
  const rest = text.slice(uriPrefixLength(text))
  let failure: ConninfoFailure = { reason: 'it names no server' }
  for (const at of credentialEnds(rest)) {
    const credentials = at < 0 ? { ok: true as const, params: [], written: [] } : readCredentials(rest.slice(0, at))
    if (!credentials.ok) continue
    const location = readLocation(rest.slice(at + 1))
    if (!location.ok) {
      failure = location
      continue
    }
    const params = new Map<string, string>(credentials.params)
    if (location.hosts.some((h) => h !== '')) params.set('host', location.hosts.join(','))
    if (location.ports.some((p) => p !== '')) params.set('port', location.ports.join(','))
    if (location.dbname !== undefined) params.set('dbname', location.dbname)
    for (const [key, value] of location.query) params.set(key, value)
    const conninfo: Conninfo = { params, written: [...credentials.written, ...location.written] }
    return { ok: true, conninfo }
  }
  return { ok: false, ...failure }
}

/** Where the credentials may end: nowhere (-1), then at each `@` in turn. */
function credentialEnds(rest: string): number[] {
  const ends = [-1]
  for (let i = rest.indexOf('@'); i >= 0; i = rest.indexOf('@', i + 1)) ends.push(i)
  return ends
}

function readCredentials(userinfo: string): Parsed<{ params: [string, string][]; written: string[] }> {
  const colon = userinfo.indexOf(':')
  const user = colon < 0 ? userinfo : userinfo.slice(0, colon)
  // A user name never holds these; an `@` with one before it belongs to the path or query.
  if (/[/?#]/.test(user)) return { ok: false, reason: 'misplaced "@"' }
  const params: [string, string][] = []
  const decodedUser = percentDecode(user)
  if (decodedUser === null) return { ok: false, reason: 'the user name contains %00' }
  if (decodedUser !== '') params.push(['user', decodedUser])
  if (colon < 0) return { ok: true, params, written: [] }
  const password = userinfo.slice(colon + 1)
  const decoded = percentDecode(password)
  if (decoded === null) return { ok: false, reason: 'the password contains %00' }
  if (decoded !== '') params.push(['password', decoded])
  return { ok: true, params, written: [password] }
}

function readLocation(text: string): Parsed<Location> {
  const hostEnd = indexOfAny(text, '/?')
  const hosts = readHosts(text.slice(0, hostEnd))
  if (!hosts.ok) return hosts
  let i = hostEnd
  let dbname: string | undefined
  if (text[i] === '/') {
    const end = text.indexOf('?', i) < 0 ? text.length : text.indexOf('?', i)
    const raw = text.slice(i + 1, end)
    const decoded = raw.includes('@') ? null : percentDecode(raw)
    if (decoded === null) {
      return { ok: false, reason: 'the database name is not valid (encode "@" as %40)', ...shown(hosts.hosts) }
    }
    if (decoded !== '') dbname = decoded
    i = end
  }
  const query = text[i] === '?' ? readQuery(text.slice(i + 1)) : { ok: true as const, pairs: [], written: [] }
  if (!query.ok) return { ...query, ...shown(hosts.hosts) }
  return { ok: true, hosts: hosts.hosts, ports: hosts.ports, dbname, query: query.pairs, written: query.written }
}

function readHosts(spec: string): Parsed<{ hosts: string[]; ports: string[] }> {
  const hosts: string[] = []
  const ports: string[] = []
  if (spec === '') return { ok: true, hosts, ports }
  for (const entry of spec.split(',')) {
    const match = /^(\[[0-9a-fA-F:.]+\]|[^@#[\]:\s]*)(?::(\d*))?$/.exec(entry)
    const host = match ? percentDecode(match[1]!.replace(/^\[(.*)\]$/, '$1')) : null
    if (!match || host === null || /[\s\u0000-\u001f\u007f]/.test(host)) {
      return { ok: false, reason: 'the host or port is not valid' }
    }
    const port = match[2] ?? ''
    if (port !== '' && !validPort(port)) {
      return { ok: false, reason: 'the port is not a number from 1 to 65535', ...shown([host]) }
    }
    hosts.push(host)
    ports.push(port)
  }
  return { ok: true, hosts, ports }
}

function readQuery(query: string): Parsed<{ pairs: [string, string][]; written: string[] }> {
  const pairs: [string, string][] = []
  const written: string[] = []
  for (const segment of query.split('&')) {
    if (segment === '') continue
    const eq = segment.indexOf('=')
    const key = eq > 0 ? percentDecode(segment.slice(0, eq)) : null
    const value = eq > 0 ? percentDecode(segment.slice(eq + 1)) : null
    if (key === null || value === null) return { ok: false, reason: 'a query parameter is not keyword=value' }
    // JDBC's ssl=true, which libpq also accepts in URIs.
    if (key === 'ssl' && value === 'true') {
      pairs.push(['sslmode', 'require'])
      continue
    }
    if (!isConninfoKeyword(key)) return { ok: false, ...unknownKeyword(key) }
    if (secretKeywords.has(key)) written.push(segment.slice(eq + 1))
    pairs.push([key, value])
  }
  return { ok: true, pairs, written }
}

/** True for `1`…`65535`, written in digits. */
export function validPort(text: string): boolean {
  return /^\d{1,5}$/.test(text) && Number(text) >= 1 && Number(text) <= 65535
}

function shown(hosts: string[]): { host?: string } {
  const host = hosts.find((h) => /^[A-Za-z0-9.:_-]+$/.test(h))
  return host === undefined ? {} : { host }
}

function indexOfAny(text: string, chars: string): number {
  for (let i = 0; i < text.length; i++) if (chars.includes(text[i]!)) return i
  return text.length
}
