import { randomBytes } from 'node:crypto'
import type { ScratchDatabase } from '@squizzle/core'
import { asPostgresOptions } from './client-options.js'
import { parseConnectionUrl, type ConnectionTarget } from './connection-url.js'
import { connectionError, databaseError } from './database-error.js'
import { startEmbeddedPostgres } from './embedded.js'
import { PostgresDriver } from './postgres-driver.js'

export interface ScratchDatabaseOptions {
  /**
   * A development server to replay on: a new database (from `template0`, so it is
   * empty) is created there and dropped afterwards. Without it, Squizzle starts an
   * embedded PostgreSQL server of its own and stops it afterwards.
   */
  devUrl?: string
  applicationName?: string
}

/**
 * Opens an empty PostgreSQL database for a replay: a fresh database on the
 * development server `devUrl`, or a private embedded server. `dispose()` drops
 * the database or stops the server.
 *
 * @example
 * ```ts
 * const scratch = await openScratchDatabase({ devUrl: process.env.SQUIZZLE_DEV_URL })
 * try { console.log(await scratch.driver.snapshotSchema!()) } finally { await scratch.dispose() }
 * ```
 */
export async function openScratchDatabase(options: ScratchDatabaseOptions = {}): Promise<ScratchDatabase> {
  const applicationName = options.applicationName ?? 'squizzle (replay)'
  if (options.devUrl !== undefined) return onDevServer(options.devUrl, applicationName)
  const server = await startEmbeddedPostgres({ durable: false })
  const driver = new PostgresDriver({ url: server.url, applicationName })
  try {
    await driver.connect()
  } catch (err) {
    await server.stop()
    throw err
  }
  return {
    driver,
    label: `an embedded PostgreSQL server on 127.0.0.1:${server.port}`,
    async dispose() {
      await driver.close()
      await server.stop()
    },
  }
}

async function onDevServer(devUrl: string, applicationName: string): Promise<ScratchDatabase> {
  const target = parseConnectionUrl(devUrl)
  const { postgres } = await import('./postgres-client.js')
  const name = `squizzle_replay_${randomBytes(6).toString('hex')}`
  const client = target.clientOptions()
  const connection = { ...client.connection, application_name: applicationName }
  const admin = postgres(asPostgresOptions({ ...client, max: 1, prepare: false, onnotice: () => {}, connection }))
  try {
    await admin`CREATE DATABASE ${admin(name)} TEMPLATE template0`
  } catch (err) {
    await admin.end({ timeout: 1 })
    throw isConnectFailure(err)
      ? connectionError(err, target.display, target.secrets)
      : databaseError(err, `creating the scratch database ${name} on ${target.display}`, target.secrets)
  }
  const driver = new PostgresDriver({ url: target.urlForDatabase(name), applicationName })
  // WITH (FORCE) (PostgreSQL 13+) also ends a connection a failed replay left behind.
  const drop = async (): Promise<void> => {
    try {
      await admin`DROP DATABASE IF EXISTS ${admin(name)} WITH (FORCE)`
    } catch (err) {
      throw databaseError(err, `dropping the scratch database ${name}`, target.secrets)
    } finally {
      await admin.end({ timeout: 5 })
    }
  }
  try {
    await driver.connect()
  } catch (err) {
    await drop()
    throw err
  }
  return {
    driver,
    label: `database ${name} on ${serverLabel(target)}`,
    async dispose() {
      await driver.close()
      await drop()
    },
  }
}

/** `host:port` of the server a connection target names, for messages (no secrets). */
export function serverLabel(target: ConnectionTarget): string {
  const { hosts, ports } = target.settings
  const port = (i: number): string => {
    const p = ports[ports.length === 1 ? 0 : i]
    return p === undefined ? '' : `:${p}`
  }
  return hosts.length === 0 ? 'the default server' : hosts.map((h, i) => `${h}${port(i)}`).join(',')
}

/** True when `err` means the server could not be reached or refused the login. */
export function isConnectFailure(err: unknown): boolean {
  const code = (err as { code?: unknown }).code
  return (
    typeof code === 'string' &&
    (code.startsWith('E') || code === '28P01' || code === '28000' || code === '3D000' || code === 'CONNECT_TIMEOUT')
  )
}
