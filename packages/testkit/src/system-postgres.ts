import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort, type EmbeddedServer } from '@squizzle/driver-postgres/embedded'

/**
 * Starts a PostgreSQL server from a distribution's binaries (e.g. Debian's
 * /usr/lib/postgresql/15/bin), so tests cover a second major version. As root
 * the binaries run as user `postgres` (which the distribution package creates).
 */
export async function startSystemPostgres(binDir: string): Promise<EmbeddedServer> {
  const parent = await mkdtemp(join(tmpdir(), 'squizzle-syspg-'))
  await chmod(parent, 0o777)
  const dataDir = join(parent, 'data')
  const password = randomBytes(12).toString('hex')
  const pwFile = join(parent, 'pw')
  await writeFile(pwFile, password, { mode: 0o644 })
  const asRoot = process.getuid?.() === 0
  const run = (cmd: string, args: string[]) =>
    exec(asRoot ? 'runuser' : join(binDir, cmd), asRoot ? ['-u', 'postgres', '--', join(binDir, cmd), ...args] : args)
  await run('initdb', [
    '-D',
    dataDir,
    '-U',
    'postgres',
    '--auth=scram-sha-256',
    `--pwfile=${pwFile}`,
    '-E',
    'UTF8',
    '--no-sync',
  ])
  const port = await startOnFreePort((p) =>
    run('pg_ctl', ['-D', dataDir, '-w', '-l', join(parent, 'log'), '-o', serverOptions(p, parent), 'start']),
  )
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    port,
    dataDir,
    async stop() {
      await run('pg_ctl', ['-D', dataDir, '-w', '-m', 'immediate', 'stop']).catch(() => undefined)
      await rm(parent, { recursive: true, force: true })
    },
  }
}

/**
 * Starts on a free port, trying a fresh one when the start fails: the port can be taken
 * between the check and the server's bind (by another server starting at the same time, or
 * as a client connection's local port); a server that fails for another reason fails each time.
 */
async function startOnFreePort(start: (port: number) => Promise<void>): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort()
    try {
      await start(port)
      return port
    } catch (err) {
      if (attempt >= 3) throw err
    }
  }
}

/** Loopback only, its socket in its own folder, and no durability: a test server, thrown away afterwards. */
function serverOptions(port: number, socketDir: string): string {
  return (
    `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${socketDir} -c fsync=off -c ` +
    `synchronous_commit=off -c full_page_writes=off`
  )
}

function exec(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (d: Buffer) => (output += d.toString()))
    child.stderr.on('data', (d: Buffer) => (output += d.toString()))
    child.on('error', reject)
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${output}`)),
    )
  })
}
