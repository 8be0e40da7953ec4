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
 * Opens the work and lock sessions. Both keep their backend for as long as the
 * driver lives (no postgres.js `max_lifetime`, which would end them after 30 to
 * 60 minutes and, for the lock, release it mid-run) and send TCP keepalives, so a
 * dead peer is noticed. The lock session is exempt from `idle_session_timeout`
 * and `idle_in_transaction_session_timeout`: it is idle by design. These are set
 * with `SET` on the session, not as startup parameters, which PgBouncer (session
 * mode) refuses unless configured to ignore them.
 *
 * @example
 * ```ts
 * const connections = await openSessions(parseConnectionUrl(url), { applicationName: 'deploy' })
 * ```
 */
export async function openSessions(target: ConnectionTarget, options: SessionOptions): Promise<Connections> {
  // Imported on connect, not with the package: CLI runs that never touch a database
  // (build, push, pull, list) should not load the client.
  const { postgres } = await import('./postgres-client.js')
  // Every setting is passed explicitly: postgres.js never parses the URL itself.
  const client = target.clientOptions()
  const applicationName = options.applicationName ?? target.settings.applicationName ?? 'squizzle'
  const open = (purpose: string, extra: Record<string, string> = {}): Session =>
    openSession((onclose) =>
      postgres(asPostgresOptions({
        ...client,
        max: 1,
        prepare: false,
        max_lifetime: 0,
        keep_alive: client.keep_alive ?? 30,
        connect_timeout: options.connectTimeoutSeconds ?? target.settings.connectTimeoutSeconds ?? 10,
        connection: { ...client.connection, application_name: `${applicationName}${purpose}`, ...extra },
        onnotice: (notice: Notice) => {
          const severity = String(notice['severity'] ?? 'NOTICE')
          options.onNotice?.({ severity, message: String(notice['message'] ?? '') })
        },
        onclose,
      })),
    )
  let lock = open(' (lock)')
  let work: Session | undefined
  const retired: Session[] = []
  const exempted = new WeakSet<Session>()
  const retire = (old: Session): void => {
    retired.push(old)
    // Nothing pending on a lost session is still awaited by anyone; end it now.
    void old.sql.end({ timeout: 0 }).catch(() => undefined)
  }
  try {
    const serverVersion = await exemptFromIdleTimeouts(lock.sql)
    exempted.add(lock)
    // If this process dies mid-statement, the server must notice and roll back at once
    // (PostgreSQL 14+), not only when a long statement ends. A startup parameter, so
    // the RESET ALL after each file keeps it.
    const checkClient: Record<string, string> = {}
    if (serverVersion >= 140000) checkClient['client_connection_check_interval'] = '1000'
    const openWork = () => open('', checkClient)
    work = openWork()
    await work.sql`SELECT 1`
    const connections: Connections = {
      held: undefined,
      work() {
        if (work!.lost) {
          retire(work!)
          work = openWork()
        }
        return work!
      },
      lockSession() {
        if (lock.lost && connections.held === undefined) {
          retire(lock)
          lock = open(' (lock)')
        }
        return lock
      },
      async exempt(session) {
        if (exempted.has(session)) return
        await exemptFromIdleTimeouts(session.sql)
        exempted.add(session)
      },
      async close() {
        await Promise.allSettled([...retired, work!, lock].map((s) => s.sql.end({ timeout: s.lost ? 0 : 5 })))
      },
    }
    return connections
  } catch (err) {
    await Promise.allSettled([work?.sql.end({ timeout: 1 }), lock.sql.end({ timeout: 1 })])
    throw err
  }
}

/** Sets the lock session's idle timeouts to off (the 14+ one only where it exists); returns server_version_num. */
async function exemptFromIdleTimeouts(sql: Sql): Promise<number> {
  const [row] = await sql<{ server_version_num: string }[]>`SHOW server_version_num`
  const version = Number(row?.server_version_num ?? 0)
  await sql`SET idle_in_transaction_session_timeout = 0`
  if (version >= 140000) await sql`SET idle_session_timeout = 0`
  return version
}
