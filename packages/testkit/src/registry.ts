import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import bcrypt from 'bcryptjs'
import { freePort } from '@squizzle/driver-postgres/embedded'
import { startTokenIssuer, type TokenIssuer } from './token-issuer.js'

/** How the test registry authenticates clients. */
export type RegistryAuthMode = 'open' | 'basic' | 'token'

/** A real CNCF distribution registry (`docker-registry`) on 127.0.0.1, for one test file. */
export interface TestRegistry {
  mode: RegistryAuthMode
  /** `127.0.0.1:PORT` */
  host: string
  /** `http://127.0.0.1:PORT` */
  baseUrl: string
  /** The storage URL of a repository in it: `oci://127.0.0.1:PORT/<repository>?plain-http=true`. */
  url(repository: string): string
  /** Credentials that work (basic and token modes); undefined when open. */
  credentials: { username: string; password: string } | undefined
  /** The registry's storage directory (`docker/registry/v2/...` inside). */
  storageDir: string
  /** Path of a stored blob's bytes, to corrupt it in tests. */
  blobPath(digest: string): string
  /** The token issuer (token mode): how many tokens it has handed out. */
  issuer?: { tokensIssued(): number; realm: string; tokens(): readonly string[] }
  /** Stops the registry process, keeping its storage (see {@link TestRegistry.start}). */
  kill(): Promise<void>
  /** Starts it again on the same port and storage. */
  start(): Promise<void>
  /** Stops everything and removes the storage. */
  stop(): Promise<void>
}

const service = 'squizzle-test-registry'

/**
 * The `docker-registry` binary (Debian package `docker-registry`, CNCF distribution 2.8),
 * or null when it is not installed.
 *
 * @example
 * ```ts
 * const available = findRegistryBinary() !== null
 * ```
 */
export function findRegistryBinary(): string | null {
  for (const candidate of ['docker-registry', '/usr/bin/docker-registry', 'registry']) {
    const probe = spawnSync(candidate, ['--version'], { encoding: 'utf8' })
    if (probe.status === 0 && /distribution/.test(probe.stdout)) return candidate
  }
  return null
}

/**
 * Starts the real registry with a temp storage dir on a free loopback port:
 * `open` (anonymous), `basic` (htpasswd with a bcrypt hash) or `token`
 * (`auth.token` trusting a self-signed certificate, with a small JWT issuer
 * started here that grants what a valid user asks for).
 *
 * @example
 * ```ts
 * const registry = await startTestRegistry('token')
 * const storage = createOciStorage(registry.url('mig/app'), { credentials: registry.credentials })
 * ```
 */
export async function startTestRegistry(mode: RegistryAuthMode): Promise<TestRegistry> {
  const binary = findRegistryBinary()
  if (!binary) throw new Error('docker-registry is not installed (apt-get install docker-registry)')
  const dir = await mkdtemp(join(tmpdir(), 'squizzle-registry-'))
  const storageDir = join(dir, 'storage')
  const port = await freePort()
  const host = `127.0.0.1:${port}`
  const instance = randomBytes(8).toString('hex')
  const credentials =
    mode === 'open' ? undefined : { username: 'squizzle-ci', password: `pw-${randomBytes(12).toString('hex')}` }
  const { authLines, issuer } = await authFor(mode, dir, credentials)
  await writeFile(join(dir, 'config.yml'), registryConfig(storageDir, host, instance, authLines))
  const { start, kill } = registryProcess(binary, join(dir, 'config.yml'), host, instance)
  await start()
  return {
    mode,
    host,
    baseUrl: `http://${host}`,
    url: (repository) => `oci://${host}/${repository}?plain-http=true`,
    credentials,
    storageDir,
    blobPath: (digest) => blobPath(storageDir, digest),
    ...(issuer ? { issuer: { tokensIssued: issuer.tokensIssued, realm: issuer.realm, tokens: issuer.tokens } } : {}),
    kill,
    start,
    async stop() {
      await kill()
      await issuer?.close()
      await rm(dir, { recursive: true, force: true })
    },
  }
}

/** The `auth:` section of the registry's config: none, htpasswd, or a token issuer started here. */
async function authFor(
  mode: RegistryAuthMode,
  dir: string,
  credentials: { username: string; password: string } | undefined,
): Promise<{ authLines: string[]; issuer: TokenIssuer | undefined }> {
  if (mode === 'basic') {
    await writeFile(join(dir, 'htpasswd'), `${credentials!.username}:${bcrypt.hashSync(credentials!.password, 6)}\n`)
    return {
      authLines: ['auth:', '  htpasswd:', '    realm: squizzle-test', `    path: ${join(dir, 'htpasswd')}`],
      issuer: undefined,
    }
  }
  if (mode === 'token') {
    const issuer = await startTokenIssuer(dir, credentials!, service)
    const authLines = [
      'auth:',
      '  token:',
      `    realm: ${issuer.realm}`,
      `    service: ${service}`,
      `    issuer: ${issuer.name}`,
      `    rootcertbundle: ${issuer.certFile}`,
    ]
    return { authLines, issuer }
  }
  return { authLines: [], issuer: undefined }
}

function registryConfig(storageDir: string, host: string, instance: string, authLines: readonly string[]): string {
  return [
    'version: 0.1',
    'log:',
    '  level: error',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${storageDir}`,
    '  delete:',
    '    enabled: true',
    '  maintenance:',
    '    uploadpurging:',
    '      enabled: false',
    'http:',
    `  addr: ${host}`,
    `  secret: ${randomBytes(16).toString('hex')}`,
    // Every answer carries this, so waiting for the port can never mistake another program's
    // server for this registry (the port was free when chosen; on a busy machine it may not stay so).
    '  headers:',
    `    X-Squizzle-Test-Registry: [${instance}]`,
    ...authLines,
    '',
  ].join('\n')
}

/** Starts (once it answers as this instance) and kills the registry process, again and again on one config. */
function registryProcess(binary: string, configFile: string, host: string, instance: string) {
  let child: ChildProcess | undefined
  let log = ''
  const start = async () => {
    log = ''
    child = spawn(binary, ['serve', configFile], { stdio: ['ignore', 'pipe', 'pipe'] })
    child.stdout?.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)))
    child.stderr?.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)))
    await waitForRegistry(`http://${host}/v2/`, instance, child, () => log)
  }
  const kill = async () => {
    if (!child || child.exitCode !== null) return
    const exited = new Promise((r) => child!.once('exit', r))
    child.kill('SIGKILL')
    await exited
  }
  return { start, kill }
}

function blobPath(storageDir: string, digest: string): string {
  const hex = digest.slice('sha256:'.length)
  return join(storageDir, 'docker', 'registry', 'v2', 'blobs', 'sha256', hex.slice(0, 2), hex, 'data')
}

async function waitForRegistry(url: string, instance: string, child: ChildProcess, log: () => string): Promise<void> {
  // Generous: on a loaded machine the registry takes a while to start; a test must not fail for that.
  const until = Date.now() + 60_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited (${child.exitCode}): ${log()}`)
    const answer = await fetch(url).then(
      (r) => ({ status: r.status, from: r.headers.get('x-squizzle-test-registry') }),
      () => null,
    )
    if (answer && (answer.status === 200 || answer.status === 401) && answer.from === instance) return
    if (Date.now() > until) throw new Error(`docker-registry did not answer on ${url}: ${log()}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}
