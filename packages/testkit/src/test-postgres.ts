import { randomBytes } from 'node:crypto'
import { startEmbeddedPostgres, type EmbeddedServer } from '@squizzle/driver-postgres/embedded'
import postgres from 'postgres'
import { startSystemPostgres } from './system-postgres.js'

/**
 * Starts the PostgreSQL server a test run uses: Debian's (or any distribution's)
 * binaries when `SQUIZZLE_TEST_PG_BIN` names their folder, else the embedded one.
 * Either runs without fsync and synchronous commit: its data is thrown away at the
 * end, and tests create and drop databases by the hundred.
 *
 * @example
 * ```ts
 * const server = await startTestPostgres()
 * ```
 */
export async function startTestPostgres(): Promise<EmbeddedServer & { label: string }> {
  const binDir = process.env['SQUIZZLE_TEST_PG_BIN']
  if (binDir) return { ...(await startSystemPostgres(binDir)), label: `system PostgreSQL from ${binDir}` }
  return { ...(await startEmbeddedPostgres({ durable: false })), label: 'embedded PostgreSQL' }
}

/**
 * Creates a fresh, empty database on the server and returns its URL.
 *
 * @example
 * ```ts
 * const url = await createTestDatabase(server.url)
 * ```
 */
export async function createTestDatabase(serverUrl: string, prefix = 'sqz'): Promise<string> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} })
  try {
    await admin.unsafe(`CREATE DATABASE ${name}`)
  } finally {
    await admin.end()
  }
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  return url.toString()
}

/**
 * Runs a query on a database outside Squizzle, to check what really happened.
 *
 * @example
 * ```ts
 * const rows = await query(url, "SELECT to_regclass('public.users') AS t")
 * ```
 */
export async function query<T = Record<string, unknown>>(url: string, text: string): Promise<T[]> {
  const sql = postgres(url, { max: 1, onnotice: () => {} })
  try {
    return (await sql.unsafe(text)) as unknown as T[]
  } finally {
    await sql.end()
  }
}
