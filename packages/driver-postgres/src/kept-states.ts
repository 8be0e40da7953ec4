import { createHash } from 'node:crypto'
import type { RestoredReplay } from '@squizzle/core'
import type { ReplayHost } from './replay-host.js'
import { systemSchemaFiles } from './system-schema.js'

/** Names of kept replayed states: the prefix, a hash of the key, `_`, a hash of the server's roles. */
export const keptPrefix = 'squizzle_replay_kept_'

type Missing = Extract<RestoredReplay, { missing: string }>

/** How many kept states a server holds; older ones are dropped when one more is kept. */
const keptStates = 8

/**
 * The name a state kept under `key` has on `host` now: it hashes the key with the
 * server's major version and the system schema files (a state kept under other ones
 * is never found), then the server's roles, which databases share and a replay may
 * create (a role added or dropped since the state was kept makes it unusable).
 *
 * @example
 * ```ts
 * const { prefix, name } = await keptStateName(host, 'sha256:… squizzle 0.1.0')
 * ```
 */
export async function keptStateName(host: ReplayHost, key: string): Promise<{ prefix: string; name: string }> {
  const system = (await systemSchemaFiles()).map((f) => `${f.name} ${f.sha256}`)
  const keyed = hash(JSON.stringify({ key, major: host.major, system }), 24)
  const roles = await host.run(
    'reading the roles',
    (sql) => sql<{ name: string }[]>`
    SELECT rolname AS name FROM pg_catalog.pg_roles WHERE rolname !~ '^pg_' ORDER BY rolname COLLATE "C"`,
  )
  const prefix = `${keptPrefix}${keyed}_`
  return { prefix, name: `${prefix}${hash(roles.map((r) => r.name).join('\n'), 12)}` }
}

/**
 * The database holding the state kept under `key` on `host`, or why there is none.
 *
 * @example
 * ```ts
 * const found = await findKeptState(host, key) // { name } or { missing: 'nothing is kept for it …' }
 * ```
 */
export async function findKeptState(host: ReplayHost, key: string): Promise<{ name: string } | Missing> {
  const { prefix, name } = await keptStateName(host, key)
  const rows = await host.run(
    'looking for kept replays',
    (sql) => sql<{ name: string }[]>`
    SELECT datname AS name FROM pg_catalog.pg_database WHERE starts_with(datname, ${prefix})`,
  )
  if (rows.some((r) => r.name === name)) return { name }
  if (rows.length > 0) return { missing: `the server's roles changed since it was kept on ${host.label}` }
  return { missing: `nothing is kept for it on ${host.label} (PostgreSQL ${host.major})` }
}

/**
 * Turns the scratch database `database` (no longer connected from here) into the
 * state kept under `key`: it replaces what was kept under the key, takes no
 * connections (so nothing changes it by accident and copying it never waits), and
 * the oldest kept states beyond a few are dropped.
 *
 * @example
 * ```ts
 * await keepState(host, 'squizzle_replay_3fa9…', key)
 * ```
 */
export async function keepState(host: ReplayHost, database: string, key: string): Promise<void> {
  const { name } = await keptStateName(host, key)
  await host.run(`keeping ${database} as ${name}`, async (sql) => {
    await waitForNoSessions(sql, database)
    await sql`DROP DATABASE IF EXISTS ${sql(name)} WITH (FORCE)`
    await sql`ALTER DATABASE ${sql(database)} RENAME TO ${sql(name)}`
    await sql`ALTER DATABASE ${sql(name)} WITH ALLOW_CONNECTIONS false`
    const old = await sql<{ name: string }[]>`
      SELECT datname AS name FROM pg_catalog.pg_database
      WHERE starts_with(datname, ${keptPrefix}) ORDER BY oid DESC OFFSET ${keptStates}`
    for (const { name: dropped } of old) await sql`DROP DATABASE IF EXISTS ${sql(dropped)} WITH (FORCE)`
  })
}

// A closed client's backend may take a moment to go; RENAME refuses while it is there.
async function waitForNoSessions(sql: ReplayHost['admin'], database: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const [row] = await sql<{ n: number }[]>`
      SELECT count(*)::int AS n FROM pg_catalog.pg_stat_activity WHERE datname = ${database}`
    if (row!.n === 0) return
    await new Promise((r) => setTimeout(r, 50))
  }
}

function hash(text: string, length: number): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length)
}
