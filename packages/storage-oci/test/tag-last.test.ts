import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { copyVersion, createTargetStorage } from '@squizzle/core'
import { mediaTypes, readSmall, referrersTag } from '@squizzle/core/oci'
import type { Attachment, ContentTarget, Descriptor } from '@squizzle/core'
import { makeTestVersion } from '@squizzle/core/testing'
import { createFilesystemStorage, OciLayoutTarget } from '@squizzle/storage-filesystem'
import { startFaultProxy, startTestRegistry, type FaultProxy, type TestRegistry } from '@squizzle/testkit'
import { createOciStorage } from '../src/index.js'
import { expectCode } from './helpers.js'
import { corruptBlob, freshRepository, quickRetries, skipRegistry } from './registry-fixture.js'
import { runSkopeo, skipSkopeo } from './skopeo.js'

function attachment(type: string, json: string): Attachment {
  return { artifactType: type, mediaType: type, data: Buffer.from(json) }
}
const sbom = attachment(mediaTypes.cyclonedx, '{"bomFormat":"CycloneDX","specVersion":"1.6"}')
const provenance = attachment(mediaTypes.inTotoStatement, '{"_type":"https://in-toto.io/Statement/v1"}')
const users = { 'migrations/001_users.sql': 'CREATE TABLE users (id int);\n' }

/** A manifest or index read back from a target, parsed. */
async function readJson(target: ContentTarget, desc: Descriptor): Promise<unknown> {
  return JSON.parse((await readSmall(await target.fetch(desc), 1 << 20, desc.digest)).toString('utf8'))
}

/** Tags of a repository as the registry itself lists them (`/tags/list`), not through our client. */
async function registryTags(registry: TestRegistry, repository: string): Promise<string[]> {
  const { username, password } = registry.credentials!
  const authorization = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`
  const res = await fetch(`${registry.baseUrl}/v2/${repository}/tags/list`, { headers: { authorization } })
  if (res.status === 404) return []
  return ((await res.json()) as { tags: string[] | null }).tags ?? []
}

// The version tag goes last, on push and on pull: whatever fails before it, no version is visible.
describe.skipIf(skipRegistry)('the version tag is written after everything the version carries', () => {
  let registry: TestRegistry
  let proxy: FaultProxy
  let dir: string
  beforeAll(async () => {
    registry = await startTestRegistry('basic')
    proxy = await startFaultProxy(registry.host)
    dir = await mkdtemp(join(tmpdir(), 'squizzle-oci-tag-last-'))
  })
  afterAll(async () => {
    await proxy?.close()
    await registry?.stop()
    await rm(dir, { recursive: true, force: true })
  })
  afterEach(() => proxy.setRule(() => ({ kind: 'forward' })))

  const credentials = () => registry.credentials!
  const direct = (repository: string) => createOciStorage(registry.url(repository), { credentials: credentials() })
  const viaProxy = (repository: string) =>
    createOciStorage(proxy.url(repository), { credentials: credentials(), retry: quickRetries })

  /** A built version with an SBOM and a provenance statement in a local layout. */
  async function builtLayout(name: string): Promise<{ layout: OciLayoutTarget; digest: string }> {
    const path = join(dir, name)
    const storage = createFilesystemStorage(path)
    const ref = await storage.push(await makeTestVersion('1.0.0', users))
    await storage.attach!(ref, sbom)
    await storage.attach!(ref, provenance)
    return { layout: new OciLayoutTarget(path), digest: ref.digest }
  }

  it.skipIf(skipSkopeo)('push: a 500 on the fallback-tag PUT leaves no 1.0.0; pushing again finishes', async () => {
    const repository = freshRepository()
    const { layout, digest } = await builtLayout('fallback-500')
    const fallbackTag = `/manifests/${referrersTag(digest)}`
    const failing = { kind: 'status', status: 500 } as const
    const forward = { kind: 'forward' } as const
    proxy.setRule(({ method, path }) => (method === 'PUT' && path.includes(fallbackTag) ? failing : forward))
    await expectCode(copyVersion(layout, viaProxy(repository).target, '1.0.0'), 'REGISTRY_UNAVAILABLE')

    expect(await registryTags(registry, repository)).not.toContain('1.0.0')
    const creds = `${registry.credentials!.username}:${registry.credentials!.password}`
    const source = `docker://${registry.host}/${repository}:1.0.0`
    const inspect = runSkopeo('inspect', '--raw', '--tls-verify=false', '--creds', creds, source)
    await expect(inspect).rejects.toThrow(/manifest unknown|not found/i)

    proxy.setRule(() => ({ kind: 'forward' }))
    await copyVersion(layout, viaProxy(repository).target, '1.0.0')
    expect(await registryTags(registry, repository)).toEqual(expect.arrayContaining(['1.0.0', referrersTag(digest)]))
    const remote = direct(repository)
    const attached = await remote.attachments!((await remote.pull('1.0.0')).ref)
    expect(attached.map((a) => a.artifactType).sort()).toEqual([mediaTypes.cyclonedx, mediaTypes.inTotoStatement])
  })

  it('pull: a wrong attachment blob fails the copy (DIGEST_MISMATCH) and leaves no 1.0.0 in the layout', async () => {
    const repository = freshRepository()
    const remote = direct(repository)
    const ref = await remote.push(await makeTestVersion('1.0.0', users))
    await remote.attach!(ref, sbom)
    const [attached] = await remote.attachments!(ref)
    const manifest = { mediaType: mediaTypes.imageManifest, digest: attached!.digest!, size: 0 }
    const image = (await readJson(remote.target, manifest)) as { layers: { digest: string }[] }
    await corruptBlob(registry, image.layers[0]!.digest)

    const path = join(dir, 'bad-attachment')
    await expectCode(copyVersion(remote.target, new OciLayoutTarget(path), '1.0.0'), 'DIGEST_MISMATCH')
    const local = createTargetStorage(new OciLayoutTarget(path))
    expect(await local.exists('1.0.0')).toBe(false)
    expect(await local.list()).toEqual([])
  })

  it("push: uploads the attachments' shared empty config blob once; every attachment layer has a title", async () => {
    const repository = freshRepository()
    const { layout } = await builtLayout('one-config')
    const before = proxy.requests.length
    await copyVersion(layout, viaProxy(repository).target, '1.0.0')
    const emptyDigest = 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a'
    const uploads = proxy.requests.slice(before).filter((r) => r.method === 'PUT' && r.url.includes('/blobs/uploads/'))
    expect(uploads.filter((r) => decodeURIComponent(r.url).includes(`digest=${emptyDigest}`))).toHaveLength(1)

    const remote = direct(repository)
    const subject = (await remote.target.resolve('1.0.0')).digest
    const fallback = await remote.target.resolve(referrersTag(subject))
    const index = (await readJson(remote.target, fallback)) as { manifests: Descriptor[] }
    const titles: string[] = []
    for (const entry of index.manifests) {
      const image = (await readJson(remote.target, entry)) as { layers: { annotations?: Record<string, string> }[] }
      titles.push(image.layers[0]?.annotations?.['org.opencontainers.image.title'] ?? '(untitled)')
    }
    expect(titles.sort()).toEqual(['squizzle-1.0.0.provenance.intoto.json', 'squizzle-1.0.0.sbom.cdx.json'])
  })
})
