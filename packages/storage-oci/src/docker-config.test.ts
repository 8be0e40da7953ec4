import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dockerCredentials } from './docker-config.js'

describe('dockerCredentials (config.json without helpers)', () => {
  let dir: string
  const env = () => ({ DOCKER_CONFIG: dir, PATH: '/nonexistent' })
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'squizzle-docker-config-unit-'))
    await writeFile(
      join(dir, 'config.json'),
      JSON.stringify({
        auths: {
          'https://index.docker.io/v1/': { auth: Buffer.from('hubuser:hubpass').toString('base64') },
          'ghcr.io': { identitytoken: 'refresh-token' },
          'registry.example:5000': { registrytoken: 'bearer-token' },
          'legacy.example': { username: 'u', password: 'p' },
        },
      }),
    )
  })
  afterAll(() => rm(dir, { recursive: true, force: true }))

  it('maps docker.io and registry-1.docker.io to the Docker Hub key', async () => {
    expect(await dockerCredentials('docker.io', { env: env() })).toEqual({ username: 'hubuser', password: 'hubpass' })
    expect(await dockerCredentials('registry-1.docker.io', { env: env() })).toEqual({
      username: 'hubuser',
      password: 'hubpass',
    })
  })

  it('reads identity tokens, registry tokens and legacy username/password entries', async () => {
    expect(await dockerCredentials('ghcr.io', { env: env() })).toEqual({ identityToken: 'refresh-token' })
    expect(await dockerCredentials('registry.example:5000', { env: env() })).toEqual({ registryToken: 'bearer-token' })
    expect(await dockerCredentials('legacy.example', { env: env() })).toEqual({ username: 'u', password: 'p' })
  })

  it('returns undefined for an unknown host or a missing file', async () => {
    expect(await dockerCredentials('unknown.example', { env: env() })).toBeUndefined()
    expect(await dockerCredentials('ghcr.io', { env: { DOCKER_CONFIG: join(dir, 'nope') } })).toBeUndefined()
  })
})
