import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { createSign, randomBytes, randomUUID, X509Certificate } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import bcrypt from 'bcryptjs'
import { freePort } from '@squizzle/driver-postgres/embedded'

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
const issuerName = 'squizzle-test-issuer'

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
  const authLines: string[] = []
  let issuer: TokenIssuer | undefined
  if (mode === 'basic') {
    await writeFile(join(dir, 'htpasswd'), `${credentials!.username}:${bcrypt.hashSync(credentials!.password, 6)}\n`)
    authLines.push('auth:', '  htpasswd:', '    realm: squizzle-test', `    path: ${join(dir, 'htpasswd')}`)
  }
  if (mode === 'token') {
    issuer = await startTokenIssuer(dir, credentials!)
    authLines.push(
      'auth:',
      '  token:',
      `    realm: ${issuer.realm}`,
      `    service: ${service}`,
      `    issuer: ${issuerName}`,
      `    rootcertbundle: ${issuer.certFile}`,
    )
  }
  const config = [
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
  await writeFile(join(dir, 'config.yml'), config)
  let child: ChildProcess | undefined
  let log = ''
  const start = async () => {
    log = ''
    child = spawn(binary, ['serve', join(dir, 'config.yml')], { stdio: ['ignore', 'pipe', 'pipe'] })
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
  await start()
  return {
    mode,
    host,
    baseUrl: `http://${host}`,
    url: (repository) => `oci://${host}/${repository}?plain-http=true`,
    credentials,
    storageDir,
    blobPath: (digest) => {
      const hex = digest.slice('sha256:'.length)
      return join(storageDir, 'docker', 'registry', 'v2', 'blobs', 'sha256', hex.slice(0, 2), hex, 'data')
    },
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

interface TokenIssuer {
  realm: string
  certFile: string
  tokensIssued(): number
  /** Every token handed out, so tests can check none of them is ever shown. */
  tokens(): readonly string[]
  close(): Promise<void>
}

/**
 * A minimal token server (distribution's token auth spec): checks Basic credentials
 * and signs an RS256 JWT whose `x5c` header carries a self-signed certificate the
 * registry trusts through `rootcertbundle`. Anonymous requests get a token with no access.
 */
async function startTokenIssuer(
  dir: string,
  credentials: { username: string; password: string },
): Promise<TokenIssuer> {
  const keyFile = join(dir, 'issuer.key')
  const certFile = join(dir, 'issuer.crt')
  await promisify(execFile)(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '2',
      '-subj',
      `/CN=${issuerName}`,
    ],
    { timeout: 120_000 },
  )
  const key = await readFile(keyFile, 'utf8')
  const certDer = new X509Certificate(await readFile(certFile)).raw.toString('base64')
  const expected = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`
  let issued = 0
  const tokens: string[] = []
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://issuer')
    const authorization = req.headers.authorization
    if (authorization !== undefined && authorization !== expected) {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"details":"invalid credentials"}')
      return
    }
    const access =
      authorization === undefined
        ? []
        : url.searchParams
            .getAll('scope')
            .map(parseScope)
            .filter((a) => a !== null)
    const now = Math.floor(Date.now() / 1000)
    const header = { typ: 'JWT', alg: 'RS256', x5c: [certDer] }
    const claims = {
      iss: issuerName,
      sub: authorization ? credentials.username : '',
      aud: url.searchParams.get('service') ?? service,
      exp: now + 300,
      nbf: now - 10,
      iat: now,
      jti: randomUUID(),
      access,
    }
    const signing = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`
    const signature = createSign('RSA-SHA256').update(signing).sign(key).toString('base64url')
    issued++
    tokens.push(`${signing}.${signature}`)
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(
        JSON.stringify({
          token: `${signing}.${signature}`,
          expires_in: 300,
          issued_at: new Date(now * 1000).toISOString(),
        }),
      )
  })
  const port = await freePort()
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
  return {
    realm: `http://127.0.0.1:${port}/token`,
    certFile,
    tokensIssued: () => issued,
    tokens: () => tokens,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}

function parseScope(scope: string): { type: string; name: string; actions: string[] } | null {
  const match = /^([a-z]+):(.+):([a-z*,]+)$/.exec(scope)
  return match ? { type: match[1]!, name: match[2]!, actions: match[3]!.split(',') } : null
}

function b64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url')
}
