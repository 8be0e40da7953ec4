import { randomBytes } from 'node:crypto'
import type { ScratchDatabase } from '@squizzle/core'
import { PostgresDriver } from './postgres-driver.js'
import type { ReplayHost } from './replay-host.js'

/** Names of the scratch databases replays create (kept states use {@link keptPrefix}). */
export const scratchPrefix = 'squizzle_replay_'

/** A scratch database on a {@link ReplayHost}, with what the cache needs to take it over. */
export interface HostScratch {
  scratch: ScratchDatabase
  name: string
  /** Closes the driver and ends `scratch` without dropping the database, which the caller takes over. */
  release(): Promise<void>
}

/**
 * Creates a database from `template` (`template0`: empty) on `host` and connects a
 * driver to it; `scratch.dispose()` drops it (WITH (FORCE): also ends a connection a
 * failed replay left behind). Disposing twice, or after `release`, does nothing.
 *
 * @example
 * ```ts
 * const { scratch } = await openHostScratch(host, 'squizzle (replay)', 'template0')
 * ```
 */
export async function openHostScratch(
  host: ReplayHost,
  applicationName: string,
  template: string,
): Promise<HostScratch> {
  const name = `${scratchPrefix}${randomBytes(6).toString('hex')}`
  await host.run(
    `creating the scratch database ${name}`,
    (sql) => sql`
    CREATE DATABASE ${sql(name)} TEMPLATE ${sql(template)}`,
  )
  const driver = new PostgresDriver({ url: host.urlFor(name), applicationName })
  const drop = () =>
    host.run(
      `dropping the scratch database ${name}`,
      (sql) => sql`
    DROP DATABASE IF EXISTS ${sql(name)} WITH (FORCE)`,
    )
  await connectOrDrop(driver, drop)
  let open = true
  const scratch: ScratchDatabase = {
    driver,
    label: `database ${name} on ${host.label}`,
    async dispose() {
      if (!open) return
      open = false
      await driver.close()
      await drop()
    },
  }
  const release = async (): Promise<void> => {
    open = false
    await driver.close()
  }
  return { scratch, name, release }
}

/** Connects the driver; when it cannot, drops the database just created for it before rethrowing. */
async function connectOrDrop(driver: PostgresDriver, drop: () => Promise<unknown>): Promise<void> {
  try {
    await driver.connect()
  } catch (err) {
    await drop()
    throw err
  }
}
