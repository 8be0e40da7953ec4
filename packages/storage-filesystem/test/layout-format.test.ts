import { readFile, rm, stat } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { annotations, describeBytes, mediaTypes, referrersTag } from '@squizzle/core/oci'
import { makeTestVersion } from '@squizzle/core/testing'
import { createFilesystemStorage, OciLayoutTarget } from '../src/index.js'
import { expectCode, filesIn, readJson, sha256Of, tempLayout, type TempLayout } from './helpers.js'

const users = { 'migrations/001_users.sql': 'CREATE TABLE users (id int);\n' }

describe('OCI image layout on disk', () => {
  let tmp: TempLayout
  beforeEach(async () => {
    tmp = await tempLayout()
  })
  afterEach(() => tmp.cleanup())

  it('writes oci-layout, index.json and content-addressed blobs as the image-layout spec says', async () => {
    const ref = await createFilesystemStorage(tmp.layout).push(await makeTestVersion('1.0.0', users))
    expect(await readJson(join(tmp.layout, 'oci-layout'))).toEqual({ imageLayoutVersion: '1.0.0' })
    expect(await readJson(join(tmp.layout, 'index.json'))).toEqual({
      schemaVersion: 2,
      mediaType: mediaTypes.imageIndex,
      manifests: [
        {
          mediaType: mediaTypes.imageManifest,
          digest: ref.digest,
          size: ref.size,
          artifactType: mediaTypes.bundleArtifact,
          // The creation time and the notes (JSON, null for none; display only) ride along, so
          // listing versions reads index.json alone.
          annotations: {
            [annotations.refName]: '1.0.0',
            [annotations.created]: expect.any(String),
            [annotations.notes]: 'null',
          },
        },
      ],
    })
    const blobs = await filesIn(join(tmp.layout, 'blobs', 'sha256'))
    expect(blobs).toHaveLength(3) // manifest, config, bundle layer
    for (const hex of blobs) expect(sha256Of(await readFile(tmp.blob(`sha256:${hex}`)))).toBe(`sha256:${hex}`)
    expect(blobs).toEqual(expect.arrayContaining([ref.digest, ref.bundleDigest].map((d) => d.slice(7))))
    expect(await filesIn(join(tmp.layout, 'ingest'))).toEqual([])
  })

  it('creates nothing until the first push, and reads a missing layout as empty', async () => {
    const storage = createFilesystemStorage(tmp.layout)
    expect(await storage.list()).toEqual([])
    expect(await storage.exists('1.0.0')).toBe(false)
    const err = await expectCode(storage.pull('1.0.0'), 'VERSION_NOT_FOUND')
    expect((err as { hint?: string }).hint).toBeTruthy()
    await expect(stat(tmp.layout)).rejects.toMatchObject({ code: 'ENOENT' })
    await storage.push(await makeTestVersion('1.0.0', users))
    expect((await stat(tmp.layout)).isDirectory()).toBe(true)
  })

  it('is named oci-layout:<absolute directory>', () => {
    expect(new OciLayoutTarget('rel/dir').name).toBe(`oci-layout:${resolve('rel/dir')}`)
    expect(createFilesystemStorage(tmp.layout).name).toBe(`oci-layout:${tmp.layout}`)
  })

  it('moves a tag instead of adding a second entry for it', async () => {
    const storage = createFilesystemStorage(tmp.layout)
    const a = await storage.push(await makeTestVersion('1.0.0', users))
    const b = await storage.push(await makeTestVersion('1.1.0', users))
    const target = new OciLayoutTarget(tmp.layout)
    await target.tag(await target.resolve(a.digest), 'latest')
    await target.tag(await target.resolve(b.digest), 'latest')
    const index = (await readJson(join(tmp.layout, 'index.json'))) as {
      manifests: { digest: string; annotations: Record<string, string> }[]
    }
    const latest = index.manifests.filter((m) => m.annotations[annotations.refName] === 'latest')
    expect(latest.map((m) => m.digest)).toEqual([b.digest])
    expect(index.manifests).toHaveLength(3)
    expect((await target.resolve('latest')).digest).toBe(b.digest)
    const tags: string[] = []
    for await (const tag of target.tags()) tags.push(tag)
    expect(tags.sort()).toEqual(['1.0.0', '1.1.0', 'latest'])
  })

  it('lists versions from index.json alone, without opening a manifest (pull still verifies it)', async () => {
    const storage = createFilesystemStorage(tmp.layout)
    const refs = [
      await storage.push(await makeTestVersion('1.0.0', users)),
      await storage.push(await makeTestVersion('1.1.0', users)),
    ]
    const listed = await storage.list()
    // Without their manifests, listing still answers from the index; pulling does not.
    for (const ref of refs) await rm(tmp.blob(ref.digest))
    expect(await storage.list()).toEqual(listed)
    expect(listed.map((v) => v.version)).toEqual(['1.0.0', '1.1.0'])
    expect(listed.every((v) => v.created !== null)).toBe(true)
    await expectCode(storage.pull('1.0.0'), 'VERSION_NOT_FOUND')
  })

  it('resolves the digest of any stored manifest or index from its own bytes', async () => {
    const storage = createFilesystemStorage(tmp.layout)
    const ref = await storage.push(await makeTestVersion('1.0.0', users))
    await storage.attach?.(ref, {
      artifactType: 'application/vnd.cyclonedx+json',
      mediaType: 'application/vnd.cyclonedx+json',
      data: Buffer.from('{}'),
    })
    const target = new OciLayoutTarget(tmp.layout)
    expect(await target.resolve(ref.digest)).toEqual({
      mediaType: mediaTypes.imageManifest,
      digest: ref.digest,
      size: ref.size,
      artifactType: mediaTypes.bundleArtifact,
    })
    const referrers = await target.resolve(referrersTag(ref.digest))
    expect(await target.resolve(referrers.digest)).toMatchObject({
      mediaType: mediaTypes.imageIndex,
      size: referrers.size,
    })
    await expectCode(target.resolve(ref.bundleDigest), 'MANIFEST_INVALID')
    await expectCode(target.resolve(describeBytes('x', Buffer.from('absent')).digest), 'VERSION_NOT_FOUND')
  })

  it('refuses to tag a manifest whose blobs are missing, leaving index.json as it was', async () => {
    const target = new OciLayoutTarget(tmp.layout)
    const config = describeBytes(mediaTypes.emptyJson, Buffer.from('{}'))
    const manifest = Buffer.from(
      JSON.stringify({ schemaVersion: 2, mediaType: mediaTypes.imageManifest, config, layers: [] }),
    )
    const desc = describeBytes(mediaTypes.imageManifest, manifest)
    await target.push(desc, manifest)
    await expectCode(target.tag(desc, 'v1'), 'STORAGE_ERROR')
    await expect(stat(join(tmp.layout, 'index.json'))).rejects.toMatchObject({ code: 'ENOENT' })
    await target.push(config, Buffer.from('{}'))
    await target.tag(desc, 'v1')
    expect((await target.resolve('v1')).digest).toBe(desc.digest)
  })

  it('refuses tags that are not OCI tags', async () => {
    const storage = createFilesystemStorage(tmp.layout)
    const ref = await storage.push(await makeTestVersion('1.0.0', users))
    const target = new OciLayoutTarget(tmp.layout)
    for (const bad of ['', '-x', 'a/b', 'a:b', 'x'.repeat(129)]) {
      await expectCode(target.tag(await target.resolve(ref.digest), bad), 'USAGE')
    }
  })

  it('never turns a digest string into a path outside blobs/sha256', async () => {
    const target = new OciLayoutTarget(tmp.layout)
    const bytes = Buffer.from('x')
    for (const digest of [
      'sha256:../../../../etc/passwd',
      `sha512:${'a'.repeat(128)}`,
      `sha256:${'A'.repeat(64)}`,
      'sha256:',
    ]) {
      const desc = { mediaType: 'application/octet-stream', digest, size: 1 }
      await expectCode(target.push(desc, bytes), 'MANIFEST_INVALID')
      await expectCode(target.fetch(desc), 'MANIFEST_INVALID')
      await expectCode(target.exists(desc), 'MANIFEST_INVALID')
      await expectCode(target.resolve(digest), 'MANIFEST_INVALID')
      await expectCode(target.tag(desc, 'v1'), 'MANIFEST_INVALID')
      await expectCode(target.delete(desc), 'MANIFEST_INVALID')
    }
    await expect(stat(tmp.layout)).rejects.toMatchObject({ code: 'ENOENT' })
  })
})
