import type { Sql } from 'postgres'
import { asPostgresOptions } from './client-options.js'
import { parseConnectionUrl, type ConnectionTarget } from './connection-url.js'
import { connectionError, databaseError } from './database-error.js'
import type { EmbeddedServer } from './embedded.js'
import { isConnectFailure, serverLabel } from './scratch-database.js'

/** A PostgreSQL server replays run on, with one administrative connection to it. */
export interface ReplayHost {
  /** Where it is, for messages (no secrets). */
  readonly label: string
  /** The server's major version (e.g. 18). */
  readonly major: number
  /** True for a server of Squizzle's own (the kept embedded cluster), which may be reset when the cache misses. */
  readonly owned: boolean
  readonly secrets: readonly string[]
  /** One connection to the server's maintenance database, for CREATE / DROP / ALTER DATABASE. */
  readonly admin: Sql
  /** The URL of `database` on this server. */
  urlFor(database: string): string
  /** Runs `fn` on the admin connection; a failure becomes a `SquizzleError` saying what was being done. */
  run<T>(doing: string, fn: (admin: Sql) => Promise<T>): Promise<T>
  /** Closes the connection and stops the server when it was started for this host. */
  close(): Promise<void>
}

/**
 * Connects to the server of `url` (a development server, or an embedded one
 * `server` started, which `close()` then stops) and reads its major version.
 *
 * @example
 * ```ts
 * const host = await connectReplayHost(process.env.SQUIZZLE_DEV_URL!, 'squizzle (replay)')
 * ```
 */
export async function connectReplayHost(
  url: string,
  applicationName: string,
  server?: { embedded: EmbeddedServer; owned: boolean },
): Promise<ReplayHost> {
  const target = parseConnectionUrl(url)
  const admin = await adminConnection(target, applicationName)
  const run = async <T>(doing: string, fn: (sql: Sql) => Promise<T>): Promise<T> => {
    try {
      return await fn(admin)
    } catch (err) {
      throw databaseError(err, `${doing} on ${label}`, target.secrets)
    }
  }
  const label = server ? `an embedded PostgreSQL server on 127.0.0.1:${server.embedded.port}` : serverLabel(target)
  try {
    const [row] = await admin<{ v: number }[]>`SELECT current_setting('server_version_num')::int / 10000 AS v`
    return {
      label,
      major: row!.v,
      owned: server?.owned ?? false,
      secrets: target.secrets,
      admin,
      urlFor: (database) => target.urlForDatabase(database),
      run,
      async close() {
        await admin.end({ timeout: 5 })
        await server?.embedded.stop()
      },
    }
  } catch (err) {
    await admin.end({ timeout: 1 })
    await server?.embedded.stop()
    if (isConnectFailure(err)) throw connectionError(err, target.display, target.secrets)
    throw databaseError(err, `reading the version of ${label}`, target.secrets)
  }
}

async function adminConnection(target: ConnectionTarget, applicationName: string): Promise<Sql> {
  const { postgres } = await import('./postgres-client.js')
  const client = target.clientOptions()
  const connection = { ...client.connection, application_name: applicationName }
  return postgres(asPostgresOptions({ ...client, max: 1, prepare: false, onnotice: () => {}, connection }))
}
