import { scratchPrefix } from './host-scratch.js'
import { keptPrefix } from './kept-states.js'
import type { ReplayHost } from './replay-host.js'

/**
 * Drops scratch databases an interrupted build left on Squizzle's own kept
 * cluster (never on a development server, where other builds may be running).
 *
 * @example
 * ```ts
 * await cleanOwnedHost(host)
 * ```
 */
export async function cleanOwnedHost(host: ReplayHost): Promise<void> {
  await host.run('dropping left-over scratch databases', async (sql) => {
    const left = await sql<{ name: string }[]>`
      SELECT datname AS name FROM pg_catalog.pg_database
      WHERE starts_with(datname, ${scratchPrefix}) AND NOT starts_with(datname, ${keptPrefix})`
    for (const { name } of left) await sql`DROP DATABASE IF EXISTS ${sql(name)} WITH (FORCE)`
  })
}

/**
 * True when the server has roles besides its superuser: roles replays created, which
 * every database of the cluster sees (a full replay must not find them).
 *
 * @example
 * ```ts
 * if (await hasReplayRoles(host)) console.log('start over')
 * ```
 */
export async function hasReplayRoles(host: ReplayHost): Promise<boolean> {
  return host.run('reading the roles', async (sql) => {
    const [row] = await sql<{ roles: number }[]>`
      SELECT count(*)::int AS roles FROM pg_catalog.pg_roles WHERE rolname !~ '^pg_' AND rolname <> current_user`
    return row!.roles > 0
  })
}
