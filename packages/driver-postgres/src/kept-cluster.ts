import { randomBytes } from 'node:crypto'
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { startEmbeddedPostgres, type EmbeddedServer } from './embedded.js'

/** The kept cluster's server, or why it cannot be used now. */
export type KeptCluster = { server: EmbeddedServer } | { busy: string }

/**
 * Starts the embedded PostgreSQL server whose cluster is kept in `dir` between
 * builds (created on first use; fsync off, as for any throwaway replay server,
 * and stopped cleanly, which writes everything out). A cluster that does not
 * start (e.g. made by another PostgreSQL major) is replaced by a new one; one a
 * running server uses (another build) is left alone and reported busy.
 *
 * @example
 * ```ts
 * const kept = await startKeptCluster('/srv/app/.squizzle/replay')
 * if ('server' in kept) await kept.server.stop() // the cluster stays
 * ```
 */
export async function startKeptCluster(dir: string): Promise<KeptCluster> {
  const dataDir = join(dir, 'data')
  const holder = await runningServer(dataDir)
  if (holder !== null) return { busy: `another server (pid ${holder}) uses ${dataDir}` }
  const existing = await readFile(join(dir, 'password'), 'utf8').catch(() => null)
  if (existing !== null) {
    const server = await start(dataDir, existing).catch(() => null)
    if (server) return { server }
  }
  return { server: await fresh(dir) }
}

/**
 * Removes the kept cluster, so the next start creates an empty one.
 *
 * @example
 * ```ts
 * await removeKeptCluster('/srv/app/.squizzle/replay')
 * ```
 */
export async function removeKeptCluster(dir: string): Promise<void> {
  await rm(join(dir, 'data'), { recursive: true, force: true })
  await rm(join(dir, 'password'), { force: true })
}

async function fresh(dir: string): Promise<EmbeddedServer> {
  await removeKeptCluster(dir)
  await mkdir(dir, { recursive: true, mode: 0o755 })
  // The server listens on 127.0.0.1 only; the password keeps other local users out of it.
  const password = randomBytes(12).toString('hex')
  await writeFile(join(dir, 'password'), password, { mode: 0o600 })
  return start(join(dir, 'data'), password)
}

function start(dataDir: string, password: string): Promise<EmbeddedServer> {
  return startEmbeddedPostgres({ dataDir, persistent: true, durable: false, password })
}

/** The pid of a live server that uses `dataDir` (its postmaster.pid), or null. */
async function runningServer(dataDir: string): Promise<number | null> {
  const text = await readFile(join(dataDir, 'postmaster.pid'), 'utf8').catch(() => null)
  const pid = Number(text?.split('\n')[0])
  if (!Number.isInteger(pid) || pid <= 0) return null
  try {
    process.kill(pid, 0)
    return pid
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM' ? pid : null
  }
}
