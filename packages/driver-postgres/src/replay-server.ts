import type { ReplayCache, RestoredReplay, ScratchDatabase, ScratchDatabaseFactory } from '@squizzle/core'
import { startEmbeddedPostgres } from './embedded.js'
import { openHostScratch, type HostScratch } from './host-scratch.js'
import { removeKeptCluster, startKeptCluster } from './kept-cluster.js'
import { findKeptState, keepState } from './kept-states.js'
import { connectReplayHost, type ReplayHost } from './replay-host.js'
import { cleanOwnedHost, hasReplayRoles } from './owned-host.js'

export interface ReplayServerOptions {
  /** A development server to replay on (scratch databases, and kept states, are created there). */
  devUrl?: string
  /**
   * Without `devUrl`: the folder an embedded server's cluster is kept in between builds
   * (e.g. `.squizzle/replay`), with its kept states. Without it, a throwaway embedded server.
   */
  keepDir?: string
  /** Keep replayed states between builds (default true). */
  cache?: boolean
  applicationName?: string
}

/** The server a build's replays run on, started (or connected to) on first use. */
export interface ReplayServer {
  /** Opens an empty scratch database on the server. */
  scratch: ScratchDatabaseFactory
  /** The replayed states kept on the server; undefined when the options turn the cache off. */
  cache: ReplayCache | undefined
  /** Closes the connection and stops an embedded server (a kept cluster stays on disk). */
  close(): Promise<void>
}

/**
 * The replay server of a build: `devUrl`, else an embedded server on the cluster kept in
 * `keepDir`, else a throwaway embedded one. Its cache keeps replayed states as databases
 * on that server (copied with `CREATE DATABASE … TEMPLATE`), so the next build restores
 * the previous version's state instead of replaying every version.
 *
 * @example
 * ```ts
 * const server = openReplayServer({ keepDir: '.squizzle/replay' })
 * try { await buildVersion({ ...options, snapshot: { scratch: server.scratch, cache: server.cache } }) }
 * finally { await server.close() }
 * ```
 */
export function openReplayServer(options: ReplayServerOptions = {}): ReplayServer {
  const server = new LazyHost(options, options.applicationName ?? 'squizzle (replay)')
  return {
    scratch: () => server.open('template0'),
    cache: options.cache === false ? undefined : hostCache(server, options),
    close: () => server.close(),
  }
}

/** The replay server, connected (or started) on first use, with the scratch databases opened on it. */
class LazyHost {
  private started: Promise<{ host: ReplayHost; note?: string }> | null = null
  private readonly opened = new WeakMap<ScratchDatabase, HostScratch>()

  constructor(
    private readonly options: ReplayServerOptions,
    private readonly applicationName: string,
  ) {}

  /** The server, and a note when it keeps no states (then `restore` misses and `keep` declines). */
  connect(): Promise<{ host: ReplayHost; note?: string }> {
    return (this.started ??= connectHost(this.options, this.applicationName))
  }

  async open(template: string): Promise<ScratchDatabase> {
    const made = await openHostScratch((await this.connect()).host, this.applicationName, template)
    this.opened.set(made.scratch, made)
    return made.scratch
  }

  /** What `open` made of `scratch`, or undefined for a database of another server. */
  made(scratch: ScratchDatabase): HostScratch | undefined {
    return this.opened.get(scratch)
  }

  /** Replaces Squizzle's own cluster with a new one (roles and kept states gone). */
  reset(on: ReplayHost): void {
    this.started = resetOwned(on, this.options, this.applicationName)
  }

  async close(): Promise<void> {
    const started = this.started
    this.started = null
    if (started) await (await started).host.close()
  }
}

function hostCache(server: LazyHost, options: ReplayServerOptions): ReplayCache {
  return {
    label: options.devUrl !== undefined ? 'the development server' : (options.keepDir ?? 'an embedded server'),
    async restore(key): Promise<RestoredReplay> {
      const { host: on, note } = await server.connect()
      if (note !== undefined) return { missing: note }
      const found = await findKeptState(on, key)
      if ('missing' in found) return found
      try {
        return { scratch: await server.open(found.name) }
      } catch (err) {
        // E.g. a dev server role that may not copy another role's database: a full replay instead.
        return { missing: `copying it failed: ${errorText(err)}` }
      }
    },
    async fresh() {
      const { host: on } = await server.connect()
      // Squizzle's own cluster starts over when replays created roles, so a full replay runs as on a new server.
      if (on.owned && (await hasReplayRoles(on))) server.reset(on)
      return server.open('template0')
    },
    async keep(scratch, key) {
      const { host: on, note } = await server.connect()
      const made = server.made(scratch)
      if (note !== undefined || !made) return false
      try {
        await made.release()
        await keepState(on, made.name, key)
        return true
      } catch (err) {
        const drop = (sql: ReplayHost['admin']) => sql`DROP DATABASE IF EXISTS ${sql(made.name)} WITH (FORCE)`
        await on.run('dropping a scratch database', drop).catch(() => undefined)
        throw err
      }
    },
  }
}

/** The server, and a note when its kept states cannot be used (the kept cluster is busy, or there is none). */
async function connectHost(options: ReplayServerOptions, applicationName: string) {
  if (options.devUrl !== undefined) return { host: await connectReplayHost(options.devUrl, applicationName) }
  if (options.keepDir === undefined || options.cache === false) {
    const embedded = await startEmbeddedPostgres({ durable: false })
    const host = await connectReplayHost(embedded.url, applicationName, { embedded, owned: false })
    return { host, note: 'a throwaway embedded server keeps nothing' }
  }
  // A cluster that cannot be kept (in use, or out of the server's reach) leaves a throwaway server.
  const kept = await startKeptCluster(options.keepDir).catch((err: unknown) => ({ busy: errorText(err) }))
  if ('busy' in kept) {
    const embedded = await startEmbeddedPostgres({ durable: false })
    const host = await connectReplayHost(embedded.url, applicationName, { embedded, owned: false })
    return { host, note: `the cluster in ${options.keepDir} cannot be used: ${kept.busy}` }
  }
  const host = await connectReplayHost(kept.server.url, applicationName, { embedded: kept.server, owned: true })
  await cleanOwnedHost(host)
  return { host }
}

async function resetOwned(on: ReplayHost, options: ReplayServerOptions, applicationName: string) {
  await on.close()
  await removeKeptCluster(options.keepDir!)
  return connectHost(options, applicationName)
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}
