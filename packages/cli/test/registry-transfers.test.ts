import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { open, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { createTestDatabase, findRegistryBinary, query, startFaultProxy, startTestRegistry } from '@squizzle/testkit'
import type { FaultProxy, TestRegistry } from '@squizzle/testkit'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest'
import { collect, squizzle, startSquizzle } from './support/cli-process.js'
import { createProject, type TestProject } from './support/project.js'

const inCi = Boolean(process.env['CI'])
const skip = findRegistryBinary() === null && !inCi
const manifestType = 'application/vnd.oci.image.manifest.v1+json'
const indexType = 'application/vnd.oci.image.index.v1+json'
type ErrorDocument = { error: { code: string; details: unknown } }
type Digested = { digest: string }

/** A GET on the registry itself, with the test credentials (no Squizzle code involved). */
async function registryGet(registry: TestRegistry, path: string, accept = manifestType): Promise<Response> {
  const { username, password } = registry.credentials!
  const authorization = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`
  return fetch(`${registry.baseUrl}/v2/${path}`, { headers: { accept, authorization } })
}

/** Flips one byte in the middle of a blob in the registry's own storage. */
async function corrupt(registry: TestRegistry, digest: string): Promise<void> {
  const file = await open(registry.blobPath(digest), 'r+')
  try {
    const at = Math.floor((await file.stat()).size / 2)
    const byte = Buffer.alloc(1)
    await file.read(byte, 0, 1, at)
    byte[0] = (byte[0] ?? 0) ^ 0xff
    await file.write(byte, 0, 1, at)
  } finally {
    await file.close()
  }
}

/** Waits until `check` holds, for at most `ms`. */
async function eventually(check: () => Promise<boolean>, ms: number): Promise<void> {
  for (const until = Date.now() + ms; Date.now() < until; await new Promise((r) => setTimeout(r, 50))) {
    if (await check()) return
  }
  throw new Error(`not within ${ms} ms`)
}

describe.skipIf(skip)('squizzle push and pull under registry faults (real registry, loopback fault proxy)', () => {
  let registry: TestRegistry
  let proxy: FaultProxy
  let project: TestProject
  let repository: string
  let env: Record<string, string>
  const run = (...args: string[]) => squizzle(args, { cwd: project.dir, env })
  const viaProxy = () => `oci://${proxy.host}/${repository}?plain-http=true`

  beforeAll(async () => {
    registry = await startTestRegistry('basic')
    proxy = await startFaultProxy(registry.host)
  })
  afterAll(async () => {
    await proxy?.close()
    await registry?.stop()
  })
  beforeEach(async () => {
    repository = `mig/tx${randomBytes(5).toString('hex')}`
    project = await createProject(`storage: file:.squizzle/artifacts\nregistry: ${registry.url(repository)}\n`)
    const { username, password } = registry.credentials!
    const database = await createTestDatabase(inject('postgresUrl'))
    env = { DATABASE_URL: database, SQUIZZLE_REGISTRY_USERNAME: username, SQUIZZLE_REGISTRY_PASSWORD: password }
    await project.add('migrations', '001_users.sql', 'CREATE TABLE users (id int);')
  })
  afterEach(async () => {
    proxy.setRule(() => ({ kind: 'forward' }))
    await project.remove()
  })

  /** Builds 1.0.0 (with its SBOM and provenance) and pushes it; returns `build --json`. */
  async function published(): Promise<{ digest: string; bundleDigest: string }> {
    const built = await run('build', '1.0.0', '--irreversible', '--push', '--json')
    expect(built.code, built.stderr).toBe(0)
    return JSON.parse(built.stdout) as { digest: string; bundleDigest: string }
  }

  /** Every download of `digest` through the proxy stalls after half its body. */
  function stallDownloadsOf(digest: string): void {
    const stall = { kind: 'stall' } as const
    proxy.setRule(({ method, path }) => (method === 'GET' && path.includes(digest) ? stall : { kind: 'forward' }))
  }

  /** A project that has only the registry: what a deploy machine pulls into. */
  async function deployer(): Promise<TestProject> {
    return createProject(`registry: ${registry.url(repository)}\n`)
  }

  it('pull: a wrong attachment blob exits 3, leaves no 1.0.0 in the layout; a later apply runs nothing', async () => {
    const { digest } = await published()
    const fallback = `${repository}/manifests/sha256-${digest.slice(7)}`
    const index = (await (await registryGet(registry, fallback, indexType)).json()) as { manifests: Digested[] }
    const first = `${repository}/manifests/${index.manifests[0]!.digest}`
    const attachment = (await (await registryGet(registry, first)).json()) as { layers: { digest: string }[] }
    await corrupt(registry, attachment.layers[0]!.digest)

    const other = await deployer()
    try {
      const pulled = await squizzle(['pull', '1.0.0', '--json'], { cwd: other.dir, env })
      expect(pulled.code, pulled.stderr).toBe(3)
      expect((JSON.parse(pulled.stdout) as { error: { code: string } }).error.code).toBe('DIGEST_MISMATCH')
      const listed = await squizzle(['list', '--json'], { cwd: other.dir, env })
      expect((JSON.parse(listed.stdout) as { versions?: unknown[] }).versions ?? []).toEqual([])
      await squizzle(['apply', '--json'], { cwd: other.dir, env })
      expect(await query(env['DATABASE_URL']!, "SELECT to_regclass('public.users')::text AS t")).toEqual([{ t: null }])
    } finally {
      await other.remove()
    }
  })

  it('pull 2.0.0 of a 1.0.0 skopeo copied under the tag 2.0.0 exits 3 (TAMPERED), caching nothing', async () => {
    await published()
    const creds = `${registry.credentials!.username}:${registry.credentials!.password}`
    const at = (tag: string) => `docker://${registry.host}/${repository}:${tag}`
    const tls = ['--src-tls-verify=false', '--dest-tls-verify=false', '--src-creds', creds, '--dest-creds', creds]
    await promisify(execFile)('skopeo', ['--insecure-policy', 'copy', ...tls, at('1.0.0'), at('2.0.0')])
    const other = await deployer()
    try {
      const pulled = await squizzle(['pull', '2.0.0', '--json'], { cwd: other.dir, env })
      expect(pulled.code, pulled.stderr).toBe(3)
      expect((JSON.parse(pulled.stdout) as { error: { code: string } }).error.code).toBe('TAMPERED')
      const listed = await squizzle(['list', '--json'], { cwd: other.dir, env })
      const versions = (JSON.parse(listed.stdout) as { versions?: { version: string }[] }).versions ?? []
      expect(versions.map((v) => v.version)).not.toContain('2.0.0')
    } finally {
      await other.remove()
    }
  })

  it('a killed pull leaves nothing in ingest/ once the next command has run', async () => {
    await project.add('seed', '001_rows.sql', `-- ${randomBytes(256 * 1024).toString('base64')}\n`)
    const { bundleDigest } = await published()
    stallDownloadsOf(bundleDigest)
    const other = await deployer()
    const ingest = join(other.dir, '.squizzle/artifacts/ingest')
    try {
      const child = startSquizzle(['pull', '1.0.0', '--storage', viaProxy()], { cwd: other.dir, env })
      const done = collect(child)
      // Killed mid-download, after the layout itself was written (its oci-layout also passes through ingest/).
      const layoutFile = join(other.dir, '.squizzle/artifacts/oci-layout')
      const downloading = async () => existsSync(layoutFile) && (await readdir(ingest).catch(() => [])).length > 0
      await eventually(downloading, 30_000)
      child.kill('SIGKILL')
      expect((await done).signal).toBe('SIGKILL')
      expect((await readdir(ingest)).length).toBeGreaterThan(0)

      proxy.setRule(() => ({ kind: 'forward' }))
      const listed = await squizzle(['list', '--json'], { cwd: other.dir, env })
      expect(listed.code, listed.stdout + listed.stderr).toBe(0)
      expect(await readdir(ingest)).toEqual([])
      expect((await squizzle(['pull', '1.0.0'], { cwd: other.dir, env })).code).toBe(0)
    } finally {
      await other.remove()
    }
  })

  it('--timeout and --retries bound a stalled download: exit 1 (REGISTRY_TIMEOUT) in seconds', async () => {
    const { bundleDigest } = await published()
    stallDownloadsOf(bundleDigest)
    const other = await deployer()
    try {
      const pull = (args: string[], extra: Record<string, string> = {}) => {
        const command = ['pull', '1.0.0', '--storage', viaProxy(), '--json', ...args]
        return squizzle(command, { cwd: other.dir, env: { ...env, ...extra } })
      }
      const started = Date.now()
      const r = await pull(['--timeout', '500ms', '--retries', '1'])
      expect(r.code, r.stderr).toBe(1)
      const timedOut = { code: 'REGISTRY_TIMEOUT', details: { idleTimeoutMs: 500 } }
      expect((JSON.parse(r.stdout) as ErrorDocument).error).toMatchObject(timedOut)
      expect(Date.now() - started).toBeLessThan(25_000)
      const viaEnv = await pull([], { SQUIZZLE_REGISTRY_TIMEOUT: '500ms', SQUIZZLE_REGISTRY_RETRIES: '0' })
      const once = { code: 'REGISTRY_TIMEOUT', details: { attempts: 1 } }
      expect((JSON.parse(viaEnv.stdout) as ErrorDocument).error).toMatchObject(once)
      expect((await squizzle(['list', '--json'], { cwd: other.dir, env })).stdout).not.toContain('1.0.0')
    } finally {
      await other.remove()
    }
  }, 60_000)

  it('refuses a retry count or timeout that is not one, with exit 2', async () => {
    expect((await run('pull', '1.0.0', '--retries', 'many')).code).toBe(2)
    expect((await run('push', '1.0.0', '--timeout', '0s')).code).toBe(2)
    const badEnv = { ...env, SQUIZZLE_REGISTRY_RETRY_BUDGET: 'soon' }
    expect((await squizzle(['pull', '1.0.0'], { cwd: project.dir, env: badEnv })).code).toBe(2)
  })
})
