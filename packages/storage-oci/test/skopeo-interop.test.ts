import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { accessSync, constants } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { verifyVersion } from '@squizzle/core'
import { makeTestVersion } from '@squizzle/core/testing'
import { createFilesystemStorage } from '@squizzle/storage-filesystem'
import type { TestRegistry } from '@squizzle/testkit'
import { freshRepository, sharedRegistry, skipRegistry, storageIn } from './registry-fixture.js'

const skopeo = findOnPath('skopeo')
const inCi = Boolean(process.env['CI'])
if (!skopeo && !inCi) {
  console.warn('\n*** skopeo is not on PATH: SKIPPING the skopeo/registry interop tests (apt-get install skopeo). In CI they fail instead. ***\n')
}

/** skopeo with an argument list (never a shell string); no image signatures are involved, hence the policy flag. */
async function runSkopeo(...args: string[]): Promise<string> {
  if (!skopeo) throw new Error('skopeo is required in CI (CI is set) but is not on PATH: install it (apt-get install skopeo)')
  return (await promisify(execFile)(skopeo, ['--insecure-policy', ...args], { timeout: 120_000, encoding: 'buffer', maxBuffer: 1 << 24 })).stdout.toString('latin1')
}

const sha256 = (bytes: Uint8Array) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`
const files = { 'migrations/001_users.sql': 'CREATE TABLE users (id int);\n', 'rollback/001_users.sql': 'DROP TABLE users;\n' }

describe.skipIf(skipRegistry || (!skopeo && !inCi))('interoperability with skopeo through a real registry', () => {
  let registry: TestRegistry
  let dir: string
  beforeAll(async () => {
    registry = await sharedRegistry('basic')
    dir = await mkdtemp(join(tmpdir(), 'squizzle-oci-skopeo-'))
  })
  afterAll(() => rm(dir, { recursive: true, force: true }))
  const creds = () => `${registry.credentials!.username}:${registry.credentials!.password}`

  it('skopeo inspects and copies what we push, byte for byte (to dir: and oci:)', async () => {
    const repository = freshRepository()
    const version = await makeTestVersion('1.4.0', files)
    const ref = await storageIn(registry, {}, repository).push(version)
    const source = `docker://${registry.host}/${repository}:1.4.0`
    const raw = await runSkopeo('inspect', '--raw', '--tls-verify=false', '--creds', creds(), source)
    expect(sha256(Buffer.from(raw, 'latin1'))).toBe(ref.digest)
    expect(JSON.parse(raw)).toMatchObject({ artifactType: 'application/vnd.squizzle.bundle.v1', layers: [{ digest: ref.bundleDigest }] })

    const out = join(dir, 'dir-copy')
    await runSkopeo('copy', '--src-tls-verify=false', '--src-creds', creds(), source, `dir:${out}`)
    expect(sha256(await readFile(join(out, 'manifest.json')))).toBe(ref.digest)
    expect(Buffer.from(await readFile(join(out, ref.bundleDigest.slice(7)))).equals(Buffer.from(version.bundle))).toBe(true)

    const layout = join(dir, 'oci-copy')
    await runSkopeo('copy', '--src-tls-verify=false', '--src-creds', creds(), source, `oci:${layout}:1.4.0`)
    expect(await verifyVersion(createFilesystemStorage(layout), '1.4.0')).toMatchObject({ version: '1.4.0', digest: ref.digest, files: 2 })
  })

  it('pulls and verifies what skopeo copied from our local layout into the registry', async () => {
    const repository = freshRepository()
    const layout = join(dir, 'ours')
    const local = await createFilesystemStorage(layout).push(await makeTestVersion('2.0.0-rc.1', files))
    await runSkopeo('copy', '--dest-tls-verify=false', '--dest-creds', creds(), `oci:${layout}:2.0.0-rc.1`, `docker://${registry.host}/${repository}:2.0.0-rc.1`)
    const storage = storageIn(registry, {}, repository)
    expect(await storage.list()).toEqual([expect.objectContaining({ version: '2.0.0-rc.1', digest: local.digest })])
    expect(await verifyVersion(storage, '2.0.0-rc.1')).toMatchObject({ digest: local.digest, files: 2 })
  })
})

function findOnPath(command: string): string | undefined {
  for (const entry of (process.env['PATH'] ?? '').split(delimiter)) {
    const candidate = join(entry, command)
    try {
      accessSync(candidate, constants.X_OK)
      return candidate
    } catch {
      // Not in this PATH entry; try the next one.
    }
  }
  return undefined
}
