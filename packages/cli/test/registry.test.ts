import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createTestDatabase, findRegistryBinary, query, startTestRegistry, type TestRegistry } from '@squizzle/testkit'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest'
import { squizzle } from './support/cli-process.js'
import { createProject, type TestProject } from './support/project.js'

const inCi = Boolean(process.env['CI'])
const skip = findRegistryBinary() === null && !inCi
if (skip)
  console.warn(
    '\n*** docker-registry is not on PATH: SKIPPING the CLI registry tests (apt-get install docker-registry). In CI they fail instead. ***\n',
  )

let registry: TestRegistry
let repoCounter = 0

describe.skipIf(skip)('squizzle with a real OCI registry (docker-registry, Basic auth)', () => {
  let project: TestProject
  let url: string
  let repository: string
  let remote: string
  let env: Record<string, string>
  const run = (...args: string[]) => squizzle(args, { cwd: project.dir, env })

  beforeAll(async () => {
    registry = await startTestRegistry('basic')
  })
  afterAll(async () => {
    await registry?.stop()
  })
  beforeEach(async () => {
    repository = `mig/cli${++repoCounter}${Date.now().toString(36)}`
    remote = registry.url(repository)
    project = await createProject(`storage: file:.squizzle/artifacts\nregistry: ${remote}\n`)
    url = await createTestDatabase(inject('postgresUrl'))
    env = {
      DATABASE_URL: url,
      SQUIZZLE_REGISTRY_USERNAME: registry.credentials!.username,
      SQUIZZLE_REGISTRY_PASSWORD: registry.credentials!.password,
    }
    await project.add('migrations', '001_users.sql', 'CREATE TABLE users (id int);')
  })
  afterEach(async () => {
    await project.remove()
  })

  it('build --push builds locally and pushes; list --storage oci:// shows the same digest; JSON never carries the password', async () => {
    const built = await run('build', '1.0.0', '--irreversible', '--push', '--json')
    expect(built.code, built.stderr).toBe(0)
    const doc = JSON.parse(built.stdout) as { digest: string; pushedTo: string }
    expect(doc.pushedTo).toBe(`oci://${registry.host}/${repository}`)
    const listed = await run('list', '--storage', remote, '--json')
    expect(listed.code, listed.stderr).toBe(0)
    expect((JSON.parse(listed.stdout) as { versions: { version: string; digest: string }[] }).versions).toEqual([
      expect.objectContaining({ version: '1.0.0', digest: doc.digest }),
    ])
    for (const out of [built, listed]) expect(out.stdout + out.stderr).not.toContain(registry.credentials!.password)
  })

  it('push, then pull into an empty project, then apply from the local cache', async () => {
    expect((await run('build', '1.0.0', '--irreversible')).code).toBe(0)
    const pushed = await run('push', '1.0.0', '--json')
    expect(pushed.code, pushed.stderr).toBe(0)
    const digest = (JSON.parse(pushed.stdout) as { digest: string }).digest
    expect((await run('push', '1.0.0')).code).toBe(0) // same digest again: a no-op

    const other = await createProject(`registry: ${remote}\n`)
    try {
      const pulled = await squizzle(['pull', '1.0.0', '--json'], { cwd: other.dir, env })
      expect(pulled.code, pulled.stderr).toBe(0)
      expect((JSON.parse(pulled.stdout) as { digest: string }).digest).toBe(digest)
      const applied = await squizzle(['apply', '--json'], { cwd: other.dir, env })
      expect(applied.code, applied.stderr).toBe(0)
      expect(await query(url, 'SELECT version, manifest_digest FROM squizzle.history')).toEqual([
        { version: '1.0.0', manifest_digest: digest },
      ])
    } finally {
      await other.remove()
    }
  })

  it('apply, status and verify work on --storage oci:// directly; a re-pointed tag is reported as tampering (exit 3)', async () => {
    expect((await run('build', '1.0.0', '--irreversible', '--push')).code).toBe(0)
    const applied = await run('apply', '--storage', remote, '--json')
    expect(applied.code, applied.stderr).toBe(0)
    expect((await run('status', '--storage', remote)).code).toBe(0)
    expect((await run('verify', '1.0.0', '--storage', remote)).code).toBe(0)

    await repointTag(registry, repository, '1.0.0')

    const status = await run('status', '--storage', remote, '--json')
    expect(status.code).toBe(3)
    expect((JSON.parse(status.stdout) as { tampered: { version: string }[] }).tampered).toEqual([
      expect.objectContaining({ version: '1.0.0' }),
    ])
    const verified = await run('verify', '1.0.0', '--storage', remote, '--json')
    expect(verified.code).toBe(3)
    expect((JSON.parse(verified.stdout) as { error: { code: string } }).error.code).toBe('TAMPERED')
  })

  it('apply --storage oci:// reads content the local layout holds from there, verified, and the rest from the registry', async () => {
    const built = await run('build', '1.0.0', '--irreversible', '--push', '--json')
    expect(built.code, built.stderr).toBe(0)
    const layer = join(
      project.dir,
      '.squizzle/artifacts/blobs/sha256',
      (JSON.parse(built.stdout) as { bundleDigest: string }).bundleDigest.slice('sha256:'.length),
    )
    // A cached bundle that differs from its digest is read, caught and refused: proof the cache is used and never trusted blindly.
    await writeFile(layer, 'not the bundle')
    const refused = await run('apply', '--storage', remote, '--json')
    expect(refused.code).toBe(3)
    // Whichever check trips first on the bad bytes: the gzip reader or the digest at the stream's end.
    expect((JSON.parse(refused.stdout) as { error: { code: string } }).error.code).toMatch(
      /^(BUNDLE_CORRUPT|DIGEST_MISMATCH)$/,
    )
    expect(await query(url, "SELECT to_regclass('public.users')::text AS t")).toEqual([{ t: null }])
    // Without the blob locally, the same apply fetches it from the registry.
    await rm(layer)
    const applied = await run('apply', '--storage', remote, '--json')
    expect(applied.code, applied.stderr).toBe(0)
    expect(await query(url, "SELECT to_regclass('public.users')::text AS t")).toEqual([{ t: 'users' }])
  })

  it('refuses a push of different content for an existing version with exit 3', async () => {
    expect((await run('build', '1.0.0', '--irreversible', '--push')).code).toBe(0)
    const other = await createProject(`registry: ${remote}\n`)
    try {
      await other.add('migrations', '001_users.sql', 'CREATE TABLE users (id bigint);')
      expect((await squizzle(['build', '1.0.0', '--irreversible'], { cwd: other.dir, env })).code).toBe(0)
      const r = await squizzle(['push', '1.0.0', '--json'], { cwd: other.dir, env })
      expect(r.code).toBe(3)
      expect((JSON.parse(r.stdout) as { error: { code: string } }).error.code).toBe('IMMUTABLE_VERSION')
    } finally {
      await other.remove()
    }
  })

  it('never downgrades to plain HTTP silently: without ?plain-http or --plain-http the HTTPS attempt fails', async () => {
    const httpsOnly = `oci://${registry.host}/${repository}`
    const refused = await run('list', '--storage', httpsOnly, '--json')
    expect(refused.code).toBe(1)
    const error = (JSON.parse(refused.stdout) as { error: { code: string; hint: string } }).error
    expect(error.code).toBe('REGISTRY_UNAVAILABLE')
    expect(error.hint).toContain('plain-http')
    // Over plain HTTP the registry answers: this repository has no tags yet, so it does not exist.
    const reached = await run('list', '--storage', httpsOnly, '--plain-http', '--json')
    expect([reached.code, (JSON.parse(reached.stdout) as { error: { code: string } }).error.code]).toEqual([
      2,
      'STORAGE_NOT_FOUND',
    ])
  })

  it('reports wrong registry credentials (exit 1) without printing them', async () => {
    const wrong = 'this-is-not-the-password'
    const r = await squizzle(['list', '--storage', remote, '--json'], {
      cwd: project.dir,
      env: { ...env, SQUIZZLE_REGISTRY_PASSWORD: wrong },
    })
    expect(r.code).toBe(1)
    expect((JSON.parse(r.stdout) as { error: { code: string } }).error.code).toBe('REGISTRY_UNAUTHORIZED')
    expect(r.stdout + r.stderr).not.toContain(wrong)
  })

  it('uses docker login credentials from DOCKER_CONFIG when SQUIZZLE_REGISTRY_* are not set', async () => {
    const configDir = join(project.dir, 'docker-config')
    await mkdir(configDir)
    const { username, password } = registry.credentials!
    await writeFile(
      join(configDir, 'config.json'),
      JSON.stringify({
        auths: { [registry.host]: { auth: Buffer.from(`${username}:${password}`).toString('base64') } },
      }),
    )
    const r = await squizzle(['build', '1.0.0', '--irreversible', '--push', '--json'], {
      cwd: project.dir,
      env: { DATABASE_URL: url, DOCKER_CONFIG: configDir },
    })
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout + r.stderr).not.toContain(password)
  })

  it('carries the signature to the registry: a signed version applies from there under a required policy, an unsigned one is refused (exit 4)', async () => {
    const trust = ['trust:', '  signatures: required', '  publicKeys: [keys/release.pub]', '']
    const publisher = await createProject(
      [
        `storage: file:.squizzle/artifacts`,
        `registry: ${remote}`,
        'signing:',
        '  key: keys/release.key',
        ...trust,
      ].join('\n'),
    )
    // The deploying side has only the registry and the public key: nothing local to lean on.
    const deployer = await createProject([`storage: ${remote}`, ...trust].join('\n'))
    const signingEnv = { ...env, SQUIZZLE_SIGNING_KEY_PASSPHRASE: 'registry test passphrase' }
    const publish = (...args: string[]) => squizzle(args, { cwd: publisher.dir, env: signingEnv })
    const deploy = (...args: string[]) => squizzle(args, { cwd: deployer.dir, env })
    try {
      expect((await publish('keygen', '--out', 'keys/release')).code).toBe(0)
      await mkdir(join(deployer.dir, 'keys'))
      await writeFile(join(deployer.dir, 'keys/release.pub'), await readFile(join(publisher.dir, 'keys/release.pub')))
      await publisher.add('migrations', '001_users.sql', 'CREATE TABLE users (id int);')
      const built = await publish('build', '1.0.0', '--irreversible', '--sign', '--push', '--json')
      expect(built.code, built.stderr).toBe(0)
      expect(JSON.parse(built.stdout)).toMatchObject({ signed: true, pushedTo: expect.stringContaining(repository) })
      const applied = await deploy('apply', '--json')
      expect(applied.code, applied.stderr).toBe(0)
      expect(await query(url, "SELECT to_regclass('public.users')::text AS t")).toEqual([{ t: 'users' }])

      await publisher.add('migrations', '002_orders.sql', 'CREATE TABLE orders (id int);')
      expect((await publish('build', '1.1.0', '--irreversible', '--push')).code).toBe(0)
      const refused = await deploy('apply', '--json')
      expect(refused.code).toBe(4)
      expect((JSON.parse(refused.stdout) as { error: { code: string } }).error.code).toBe('SIGNATURE_MISSING')
      expect(await query(url, "SELECT to_regclass('public.orders')::text AS t")).toEqual([{ t: null }])
    } finally {
      await publisher.remove()
      await deployer.remove()
    }
  })

  it('push without any registry configured is a usage error (exit 2)', async () => {
    const bare = await createProject('storage: file:.squizzle/artifacts\n')
    try {
      expect((await squizzle(['push', '1.0.0'], { cwd: bare.dir, env })).code).toBe(2)
    } finally {
      await bare.remove()
    }
  })
})

/** Points `tag` at a different manifest (same config and layer, another annotation) with a raw HTTP PUT, as an attacker with push rights could. */
async function repointTag(registry: TestRegistry, repository: string, tag: string): Promise<void> {
  const auth = `Basic ${Buffer.from(`${registry.credentials!.username}:${registry.credentials!.password}`).toString('base64')}`
  const type = 'application/vnd.oci.image.manifest.v1+json'
  const res = await fetch(`${registry.baseUrl}/v2/${repository}/manifests/${tag}`, {
    headers: { authorization: auth, accept: type },
  })
  expect(res.status).toBe(200)
  const manifest = (await res.json()) as { annotations: Record<string, string> }
  manifest.annotations['org.opencontainers.image.description'] = 'swapped'
  const put = await fetch(`${registry.baseUrl}/v2/${repository}/manifests/${tag}`, {
    method: 'PUT',
    headers: { authorization: auth, 'content-type': type },
    body: JSON.stringify(manifest),
  })
  expect(put.status).toBe(201)
}
