import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buffer } from 'node:stream/consumers'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { readBundle } from '../bundle/bundle-reader.js'
import { createTargetStorage } from '../oci/target-storage.js'
import type { ArtifactStorage, Attachment, PulledArtifact } from '../storage/artifact-storage.js'
import { memoryTarget } from '../test-support/memory-target.js'
import { buildVersion, type BuildOptions } from './build-version.js'

let dir: string
let storage: ArtifactStorage
const sbom: Attachment = {
  artifactType: 'application/vnd.cyclonedx+json',
  mediaType: 'application/vnd.cyclonedx+json',
  data: Buffer.from('{}'),
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'squizzle-build-'))
  await mkdir(join(dir, 'migrations'))
  await writeFile(join(dir, 'migrations', '001_users.sql'), 'CREATE TABLE users (id int);\n')
  storage = createTargetStorage(memoryTarget())
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

const options = (extra: Partial<BuildOptions> = {}): BuildOptions => ({
  version: '1.0.0',
  storage,
  ledger: join(dir, 'squizzle.sum'),
  folders: { migrations: join(dir, 'migrations') },
  toolVersion: '0.0.0-test',
  irreversible: true,
  ...extra,
})

describe('buildVersion with attachments', () => {
  it('stores the evidence before the version is visible, computed from the stored bundle', async () => {
    let seen: { visible: boolean; files: Record<string, string> } | undefined
    const attachments = async (artifact: PulledArtifact) => {
      const files: Record<string, string> = {}
      await readBundle(artifact.open(), artifact.manifest, {
        onFile: (f, content) => void (files[f.path] = content.toString()),
      })
      seen = { visible: await storage.exists('1.0.0'), files }
      return [sbom]
    }
    const { ref } = await buildVersion(options({ attachments }))
    expect(seen).toEqual({ visible: false, files: { 'migrations/001_users.sql': 'CREATE TABLE users (id int);\n' } })
    const attached = await storage.attachments!(ref)
    expect(attached.map((a) => a.artifactType)).toEqual([sbom.artifactType])
    expect(await buffer((await storage.pull('1.0.0')).open())).toHaveLength(ref.bundleSize)
  })

  it('leaves no version and no ledger entry when the evidence cannot be made', async () => {
    const attachments = async () => {
      throw new Error('the lockfile cannot be read')
    }
    await expect(buildVersion(options({ attachments }))).rejects.toThrow('the lockfile cannot be read')
    expect(await storage.list()).toEqual([])
    expect(await storage.exists('1.0.0')).toBe(false)
    expect(
      await stat(join(dir, 'squizzle.sum')).then(
        () => 'written',
        () => 'absent',
      ),
    ).toBe('absent')
    // The same build succeeds once the evidence can be made.
    await buildVersion(options({ attachments: async () => [sbom] }))
    expect((await storage.list()).map((v) => v.version)).toEqual(['1.0.0'])
  })

  it('refuses evidence for a storage that cannot hold attachments before storing anything', async () => {
    const plain: ArtifactStorage = { ...storage, attach: undefined, name: 'plain', push: storage.push.bind(storage) }
    const err = await buildVersion(options({ storage: plain, attachments: async () => [sbom] })).catch(
      (e: unknown) => e,
    )
    expect((err as { code?: string }).code).toBe('STORAGE_UNSUPPORTED')
    expect(await storage.list()).toEqual([])
  })
})
