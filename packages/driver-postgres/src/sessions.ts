import type { Notice, Sql } from 'postgres'
import type { HeldLock } from './advisory-lock.js'
import { asPostgresOptions } from './client-options.js'
import type { ConnectionTarget } from './connection-url.js'
import { openSession, type Session } from './work-session.js'

/** What the sessions are opened with (the driver's options). */
export interface SessionOptions {
  applicationName?: string | undefined
  onNotice?: ((notice: { severity: string; message: string }) => void) | undefined
  connectTimeoutSeconds?: number | undefined
  /** A tenant schema every session pins its `search_path` to (see `openSession`). */
  searchPath?: string | undefined
}

/** A connected driver's sessions: one for work, one for the lock, and the lock it holds. */
export interface Connections {
  /** The work session; a lost one is replaced by a new session first (callers never hold it across units). */
  work(): Session
  /** The lock session; a lost one is replaced only while no lock is held (a held lock dies with its session). */
  lockSession(): Session
  /** Exempts a lock session from the server's idle timeouts, once per session. */
  exempt(session: Session): Promise<void>
  held: HeldLock | undefined
  close(): Promise<void>
}

/**
 * Opens the work session; the lock session is opened by the first `lockSession()`
 * (most runs, e.g. a no-op apply or status, never take the lock: one connection
 * each). Both keep their backend for as long as the driver lives (no postgres.js
 * `max_lifetime`, which would end them after 30 to 60 minutes and, for the lock,
 * release it mid-run) and send TCP keepalives, so a dead peer is noticed. The lock
 * session is exempt from `idle_session_timeout` and
 * `idle_in_transaction_session_timeout`: it is idle by design. These are set with
 * `SET` on the session, not as startup parameters, which PgBouncer (session mode)
 * refuses unless configured to ignore them. `greet` is the work session's first query,
 * which proves the connection (default `SELECT 1`): a caller with a question for the
 * database asks it there instead of spending another round trip.
 *
 * Neither session fetches postgres.js's array types (`fetch_types: false`, a catalog
 * query per connection): nothing the driver reads returns a PostgreSQL array. Queries
 * that need one send and return JSON instead.
 *
 * @example
 * ```ts
 * const connections = await openSessions(parseConnectionUrl(url), { applicationName: 'deploy' })
 * ```
 */
export async function openSessions(
  target: ConnectionTarget,
  options: SessionOptions,
  greet: Greeting = (sql) => sql`SELECT 1`,
): Promise<Connections> {
  // Imported on connect, not with the package: CLI runs that never touch a database
  // (build, push, pull, list) should not load the client.
  const { postgres } = await import('./postgres-client.js')
  const open = sessionOpener(postgres, target, options)
  const { session, checksClient } = await connectWork(open, greet)
  return trackSessions(open, session, checksClient ? checkClient : {})
}

/** The first query on a new work session (see `openSessions`). */
export type Greeting = (sql: Sql) => Promise<unknown>

type Postgres = (typeof import('./postgres-client.js'))['postgres']

/** Opens one single-connection session named `<applicationName><purpose>` with the driver's settings. */
function sessionOpener(postgres: Postgres, target: ConnectionTarget, options: SessionOptions): OpenSession {
  // Every setting is passed explicitly: postgres.js never parses the URL itself.
  const client = target.clientOptions()
  const applicationName = options.applicationName ?? target.settings.applicationName ?? 'squizzle'
  const onnotice = (notice: Notice) => {
    const severity = String(notice['severity'] ?? 'NOTICE')
    options.onNotice?.({ severity, message: String(notice['message'] ?? '') })
  }
  return (purpose, extra = {}) =>
    openSession(
      (onclose) =>
        postgres(
          asPostgresOptions({
            ...client,
            max: 1,
            prepare: false,
            max_lifetime: 0,
            fetch_types: false,
            keep_alive: client.keep_alive ?? 30,
            connect_timeout: options.connectTimeoutSeconds ?? target.settings.connectTimeoutSeconds ?? 10,
            connection: { ...client.connection, application_name: `${applicationName}${purpose}`, ...extra },
            onnotice,
            onclose,
          }),
        ),
      options.searchPath,
    )
}

/**
 * The connected driver's sessions from its first work session: lost sessions are replaced (the work one with
 * `workExtra` again) and ended, and every session is ended on close.
 */
function trackSessions(open: OpenSession, first: Session, workExtra: Record<string, string>): Connections {
  let work = first
  let lock: Session | undefined
  const retired: Session[] = []
  const exempted = new WeakSet<Session>()
  const retire = (old: Session): void => {
    retired.push(old)
    // Nothing pending on a lost session is still awaited by anyone; end it now.
    void old.sql.end({ timeout: 0 }).catch(() => undefined)
  }
  const connections: Connections = {
    held: undefined,
    work() {
      if (work.lost) {
        retire(work)
        work = open('', workExtra)
      }
      return work
    },
    lockSession() {
      if (lock?.lost && connections.held === undefined) {
        retire(lock)
        lock = undefined
      }
      lock ??= open(' (lock)')
      return lock
    },
    async exempt(session) {
      if (exempted.has(session)) return
      await exemptFromIdleTimeouts(session.sql)
      exempted.add(session)
    },
    async close() {
      const sessions = [...retired, work, ...(lock ? [lock] : [])]
      await Promise.allSettled(sessions.map((s) => s.sql.end({ timeout: s.lost ? 0 : 5 })))
    },
  }
  return connections
}

// If this process dies mid-statement, the server must notice and roll back at once
// (PostgreSQL 14+), not only when a long statement ends. A startup parameter, so the
// RESET ALL after each file keeps it.
const checkClient = { client_connection_check_interval: '1000' }

/**
 * The work session, connected (its `greet` answered): with `client_connection_check_interval`
 * where the server knows it (14+), else, after the server refused it at startup
 * (`42704`, unknown parameter), without.
 */
type OpenSession = (purpose: string, extra?: Record<string, string>) => Session

async function connectWork(open: OpenSession, greet: Greeting): Promise<{ session: Session; checksClient: boolean }> {
  const checking = open('', checkClient)
  try {
    await greet(checking.sql)
    return { session: checking, checksClient: true }
  } catch (err) {
    await checking.sql.end({ timeout: 0 }).catch(() => undefined)
    if ((err as { code?: unknown }).code !== '42704') throw err
  }
  const plain = open('')
  try {
    await greet(plain.sql)
  } catch (err) {
    await plain.sql.end({ timeout: 0 }).catch(() => undefined)
    throw err
  }
  return { session: plain, checksClient: false }
}

/**
 * Sets the lock session's idle timeouts to off (the 14+ one only where it exists), in one
 * statement: `set_config(…, false)` is a plain session `SET`.
 */
async function exemptFromIdleTimeouts(sql: Sql): Promise<void> {
  await sql`SELECT pg_catalog.set_config('idle_in_transaction_session_timeout', '0', false),
    CASE WHEN pg_catalog.current_setting('server_version_num')::int >= 140000
      THEN pg_catalog.set_config('idle_session_timeout', '0', false) END`
}
