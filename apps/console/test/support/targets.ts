import { Migrator, type ArtifactStorage, type ArtifactPolicy } from '@squizzle/core'
import { PostgresDriver } from '@squizzle/driver-postgres'
import { createTestDatabase, query } from '@squizzle/testkit'
import type { ConsoleTarget } from '../../src/index.js'

/** A password no response may contain: the target databases are reached with it. */
export const dbPassword = 'Pw-console-S3cret-7d1f'
const role = 'console_reader'

/**
 * A fresh database reached as a role whose password is {@link dbPassword}.
 *
 * @example
 * ```ts
 * const url = await databaseWithPassword(inject('postgresUrl'))
 * ```
 */
export async function databaseWithPassword(serverUrl: string): Promise<string> {
  const exists = await query<{ n: number }>(
    serverUrl,
    `SELECT count(*)::int AS n FROM pg_roles WHERE rolname = '${role}'`,
  )
  if (exists[0]!.n === 0) await query(serverUrl, `CREATE ROLE ${role} LOGIN SUPERUSER PASSWORD '${dbPassword}'`)
  const url = new URL(await createTestDatabase(serverUrl, 'console'))
  url.username = role
  url.password = dbPassword
  return url.toString()
}

/**
 * A console target on the database at `url`.
 *
 * @example
 * ```ts
 * const target = postgresTarget('staging', url)
 * ```
 */
export function postgresTarget(name: string, url: string): ConsoleTarget {
  return {
    name,
    location: url,
    connect: async () => {
      const driver = new PostgresDriver({ url, applicationName: 'squizzle console' })
      await driver.connect()
      return driver
    },
  }
}

/**
 * Applies up to `version` on the database at `url` as a deploy would.
 *
 * @example
 * ```ts
 * await applyTo(url, storage, policy, '1.1.0')
 * ```
 */
export async function applyTo(
  url: string,
  storage: ArtifactStorage,
  policy: ArtifactPolicy,
  version?: string,
): Promise<void> {
  const driver = new PostgresDriver({ url })
  await driver.connect()
  try {
    await new Migrator({
      storage,
      driver,
      toolVersion: '0.1.0',
      policy,
      actor: { user: 'deploy-bot', host: 'ci-7' },
    }).apply(version)
  } finally {
    await driver.close()
  }
}
