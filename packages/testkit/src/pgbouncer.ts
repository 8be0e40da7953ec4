import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from '@squizzle/driver-postgres/embedded'

/** A running PgBouncer in front of a test database. */
export interface PgBouncer {
  /** The database URL through the pooler. */
  url: string
  stop(): Promise<void>
}

/** The pgbouncer binary, or null when it is not installed (Debian: `apt-get install pgbouncer`). */
export function findPgBouncer(): string | null {
  for (const candidate of ['pgbouncer', '/usr/sbin/pgbouncer']) {
    if (spawnSync(candidate, ['--version']).status === 0) return candidate
  }
  return null
}

/**
 * Starts PgBouncer on 127.0.0.1 in `mode` pooling in front of `databaseUrl`.
 * PgBouncer refuses to run as root, so as root it runs as user `postgres`.
 *
 * @example
 * ```ts
 * const bouncer = await startPgBouncer(url, 'transaction')
 * ```
 */
export async function startPgBouncer(databaseUrl: string, mode: 'session' | 'transaction'): Promise<PgBouncer> {
  const binary = findPgBouncer()
  if (!binary) throw new Error('pgbouncer is not installed')
  const target = new URL(databaseUrl)
  const dir = await mkdtemp(join(tmpdir(), 'squizzle-pgbouncer-'))
  await chmod(dir, 0o777)
  const port = await freePort()
  await writeFile(join(dir, 'pgbouncer.ini'), pgbouncerIni(target, dir, port, mode), { mode: 0o644 })
  await writeFile(join(dir, 'users.txt'), `"${decodeURIComponent(target.username)}" ""\n`, { mode: 0o644 })
  const asRoot = process.getuid?.() === 0
  const child: ChildProcess = asRoot
    ? spawn('runuser', ['-u', 'postgres', '--', binary, join(dir, 'pgbouncer.ini')], { stdio: 'ignore' })
    : spawn(binary, [join(dir, 'pgbouncer.ini')], { stdio: 'ignore' })
  // Generous: on a loaded machine pgbouncer takes a while to listen; a test must not fail for that.
  await waitForPort(port, 60_000)
  const url = new URL(databaseUrl)
  url.port = String(port)
  return {
    url: url.toString(),
    async stop() {
      child.kill('SIGTERM')
      await new Promise((r) => child.once('exit', r))
      await rm(dir, { recursive: true, force: true })
    },
  }
}

/** The pgbouncer.ini serving the target's database on 127.0.0.1:`port`, trusting the one user it knows. */
function pgbouncerIni(target: URL, dir: string, port: number, mode: 'session' | 'transaction'): string {
  const db = target.pathname.slice(1)
  return [
    '[databases]',
    `${db} = host=${target.hostname} port=${target.port} dbname=${db} ` +
      `user=${decodeURIComponent(target.username)} password=${decodeURIComponent(target.password)}`,
    '[pgbouncer]',
    'listen_addr = 127.0.0.1',
    `listen_port = ${port}`,
    'unix_socket_dir =',
    'auth_type = trust',
    `auth_file = ${join(dir, 'users.txt')}`,
    `pool_mode = ${mode}`,
    'default_pool_size = 4',
    'ignore_startup_parameters = extra_float_digits,client_connection_check_interval',
    `logfile = ${join(dir, 'pgbouncer.log')}`,
    '',
  ].join('\n')
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1')
      socket.once('connect', () => (socket.destroy(), resolve(true)))
      socket.once('error', () => resolve(false))
    })
    if (open) return
    if (Date.now() > until) throw new Error(`pgbouncer did not listen on ${port}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}
