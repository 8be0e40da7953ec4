import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { inspect } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { describeBytes, mediaTypes, readSmall, referrersTag } from '@squizzle/core/oci'
import { makeTestVersion } from '@squizzle/core/testing'
import { createOciStorage, dockerCredentials } from '../src/index.js'
import { expectCode, visibleText } from './helpers.js'
import { freshRepository, sharedRegistry, skipRegistry, storageIn } from './registry-fixture.js'

const users = { 'migrations/001_users.sql': 'CREATE TABLE users (id int);\n' }

describe.skipIf(skipRegistry)('storage-oci against docker-registry', () => {
  it('lists versions only: other tags and sha256- fallback tags are ignored', async () => {
    const registry = await sharedRegistry('open')
    const storage = storageIn(registry)
    const ref = await storage.push(await makeTestVersion('1.0.0', users))
    await storage.attach!(ref, {
      artifactType: 'application/vnd.cyclonedx+json',
      mediaType: 'application/vnd.cyclonedx+json',
      data: Buffer.from('{}'),
    })
    await storage.target.tag(await storage.target.resolve('1.0.0'), 'latest')
    await storage.target.tag(await storage.target.resolve('1.0.0'), 'v1')
    const tags: string[] = []
    for await (const tag of storage.target.tags()) tags.push(tag)
    expect(tags.sort()).toEqual(['1.0.0', 'latest', referrersTag(ref.digest), 'v1'].sort())
    expect(await storage.list()).toEqual([
      { version: '1.0.0', digest: ref.digest, created: '2024-01-01T00:00:00.000Z' },
    ])
  })

  it('lists more versions than one page of tags holds', async () => {
    const registry = await sharedRegistry('open')
    const repository = freshRepository()
    const storage = createOciStorage(registry.url(repository), { tagPageSize: 3 })
    const versions = Array.from({ length: 8 }, (_, i) => `1.${i}.0`)
    for (const v of versions) await storage.push(await makeTestVersion(v, users))
    expect((await storage.list()).map((v) => v.version)).toEqual(versions)
  })

  it('stores attachments under the sha256-<hex> fallback tag as an OCI index (distribution 2.8 has no referrers API)', async () => {
    const registry = await sharedRegistry('open')
    const storage = storageIn(registry)
    const ref = await storage.push(await makeTestVersion('1.0.0', users))
    expect(await storage.target.referrers(ref.digest)).toBeNull()
    const data = Buffer.from('{"bomFormat":"CycloneDX"}')
    await storage.attach!(ref, {
      artifactType: 'application/vnd.cyclonedx+json',
      mediaType: 'application/vnd.cyclonedx+json',
      data,
    })
    const index = await storage.target.resolve(referrersTag(ref.digest))
    expect(index.mediaType).toBe(mediaTypes.imageIndex)
    const body = JSON.parse((await readSmall(await storage.target.fetch(index), 1 << 20, 'index')).toString()) as {
      manifests: { artifactType: string }[]
    }
    expect(body.manifests.map((m) => m.artifactType)).toEqual(['application/vnd.cyclonedx+json'])
    const back = await storage.attachments!(ref)
    expect(back.map((a) => Buffer.from(a.data).toString())).toEqual([data.toString()])
  })

  it('skips blobs the registry already has (HEAD before upload)', async () => {
    const registry = await sharedRegistry('open')
    const storage = storageIn(registry)
    const version = await makeTestVersion('1.0.0', users)
    const layer = describeBytes(mediaTypes.bundleLayer, version.bundle)
    expect(await storage.target.exists(layer)).toBe(false)
    await storage.push(version)
    expect(await storage.target.exists(layer)).toBe(true)
    // A second version with the same files reuses the layer: only config and manifest are new.
    await storage.push(await makeTestVersion('1.1.0', users, { previousVersion: '1.0.0' }))
    expect((await storage.pull('1.1.0')).ref.bundleDigest).toBe(layer.digest)
  })

  it('refuses a non-version tag name as a reference with USAGE', async () => {
    const storage = storageIn(await sharedRegistry('open'))
    await expectCode(storage.target.resolve('../etc'), 'USAGE')
  })

  describe('Basic auth (htpasswd)', () => {
    it('refuses anonymous access with REGISTRY_UNAUTHORIZED and a hint about credentials', async () => {
      const registry = await sharedRegistry('basic')
      const err = await expectCode(createOciStorage(registry.url(freshRepository())).list(), 'REGISTRY_UNAUTHORIZED')
      expect(err.hint).toMatch(/SQUIZZLE_REGISTRY_USERNAME/)
    })

    it('refuses a wrong password without showing it', async () => {
      const registry = await sharedRegistry('basic')
      const password = `${registry.credentials!.password}-not-it`
      const err = await expectCode(
        createOciStorage(registry.url(freshRepository()), {
          credentials: { username: registry.credentials!.username, password },
        }).exists('1.0.0'),
        'REGISTRY_UNAUTHORIZED',
      )
      expect(visibleText(err)).not.toContain(password)
    })
  })

  describe('token auth', () => {
    it('caches tokens per scope: a whole push and pull needs a handful of tokens, not one per request', async () => {
      const registry = await sharedRegistry('token')
      const before = registry.issuer!.tokensIssued()
      const storage = storageIn(registry)
      await storage.push(await makeTestVersion('1.0.0', users))
      await storage.push(await makeTestVersion('1.1.0', users, { previousVersion: '1.0.0' }))
      expect((await storage.list()).length).toBe(2)
      const issued = registry.issuer!.tokensIssued() - before
      expect(issued).toBeGreaterThanOrEqual(1)
      expect(issued).toBeLessThanOrEqual(4)
    })

    it('never shows a bearer token in an error, even for failures after the token was used', async () => {
      const registry = await sharedRegistry('token')
      const storage = storageIn(registry)
      await storage.push(await makeTestVersion('1.0.0', users))
      const errors = [
        await expectCode(
          storage.push(await makeTestVersion('1.0.0', { 'migrations/001_other.sql': 'CREATE TABLE other (id int);' })),
          'IMMUTABLE_VERSION',
        ),
        await expectCode(storage.pull('9.9.9'), 'VERSION_NOT_FOUND'),
      ]
      const tokens = registry.issuer!.tokens()
      expect(tokens.length).toBeGreaterThan(0)
      // The whole error as a debugger would show it, causes included; a token's signature is its unique tail.
      for (const err of errors)
        for (const token of tokens)
          expect(`${visibleText(err)}\n${inspect(err, { depth: 10 })}`).not.toContain(token.slice(-40))
    })

    it('gets an anonymous token without rights and fails with REGISTRY_UNAUTHORIZED', async () => {
      const registry = await sharedRegistry('token')
      await expectCode(
        createOciStorage(registry.url(freshRepository())).push(await makeTestVersion('1.0.0', users)),
        'REGISTRY_UNAUTHORIZED',
      )
    })

    it('reports a token server refusing the password as REGISTRY_UNAUTHORIZED without the password', async () => {
      const registry = await sharedRegistry('token')
      const password = 'definitely-wrong-password'
      const err = await expectCode(
        createOciStorage(registry.url(freshRepository()), { credentials: { username: 'x', password } }).list(),
        'REGISTRY_UNAUTHORIZED',
      )
      expect(visibleText(err)).not.toContain(password)
      expect(err.message).toContain('token server')
    })
  })

  describe('credentials from the docker config', () => {
    let dir: string
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'squizzle-docker-config-'))
    })
    afterAll(() => rm(dir, { recursive: true, force: true }))

    it('reads auths (matching a key written as a URL) from DOCKER_CONFIG and pushes with them', async () => {
      const registry = await sharedRegistry('basic')
      const { username, password } = registry.credentials!
      const configDir = join(dir, 'auths')
      await writeConfig(configDir, {
        auths: {
          [`https://${registry.host}/v1/`]: { auth: Buffer.from(`${username}:${password}`).toString('base64') },
        },
      })
      const env = { DOCKER_CONFIG: configDir, PATH: process.env['PATH'] ?? '' }
      expect(await dockerCredentials(registry.host, { env })).toEqual({ username, password })
      const storage = createOciStorage(registry.url(freshRepository()), {
        credentials: (host) => dockerCredentials(host, { env }),
      })
      await storage.push(await makeTestVersion('1.0.0', users))
      expect(await storage.exists('1.0.0')).toBe(true)
    })

    it('asks the credHelpers program for the registry (server address on stdin) before auths', async () => {
      const registry = await sharedRegistry('basic')
      const { username, password } = registry.credentials!
      const configDir = join(dir, 'helper')
      const bin = join(dir, 'bin')
      // A real executable speaking the docker credential-helper protocol, as `docker-credential-pass` would.
      await writeConfig(bin, null)
      const helper = join(bin, 'docker-credential-squizzletest')
      await writeFile(
        helper,
        `#!/usr/bin/env node
let input = ''
process.stdin.on('data', (d) => (input += d))
process.stdin.on('end', () => {
  if (process.argv[2] !== 'get' || input.trim() !== ${JSON.stringify(registry.host)}) { process.stdout.write('credentials not found in native keychain'); process.exit(1) }
  process.stdout.write(JSON.stringify({ ServerURL: input.trim(), Username: ${JSON.stringify(username)}, Secret: ${JSON.stringify(password)} }))
})
`,
      )
      await chmod(helper, 0o755)
      await writeConfig(configDir, {
        credHelpers: { [registry.host]: 'squizzletest' },
        auths: { [registry.host]: { auth: Buffer.from('wrong:wrong').toString('base64') } },
      })
      const env = { DOCKER_CONFIG: configDir, PATH: `${bin}${delimiter}${process.env['PATH'] ?? ''}` }
      expect(await dockerCredentials(registry.host, { env })).toEqual({ username, password })
      expect(await dockerCredentials('other.example:5000', { env })).toBeUndefined()
      const storage = createOciStorage(registry.url(freshRepository()), {
        credentials: (host) => dockerCredentials(host, { env }),
      })
      await storage.push(await makeTestVersion('1.0.0', users))
      expect((await storage.list()).map((v) => v.version)).toEqual(['1.0.0'])
    })

    it('names a missing credential helper program in a REGISTRY_UNAUTHORIZED error', async () => {
      const configDir = join(dir, 'missing-helper')
      await writeConfig(configDir, { credsStore: 'not-installed-anywhere' })
      const err = await expectCode(
        dockerCredentials('ghcr.io', { env: { DOCKER_CONFIG: configDir, PATH: '/nonexistent' } }),
        'REGISTRY_UNAUTHORIZED',
      )
      expect(err.message).toContain('docker-credential-not-installed-anywhere')
    })
  })
})

async function writeConfig(dir: string, config: unknown): Promise<void> {
  const { mkdir } = await import('node:fs/promises')
  await mkdir(dir, { recursive: true })
  if (config !== null) await writeFile(join(dir, 'config.json'), JSON.stringify(config))
}
