import { execFile } from 'node:child_process'
import { accessSync, constants } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { delimiter, join } from 'node:path'
import { promisify } from 'node:util'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { verifyVersion } from '@squizzle/core'
import { annotations, mediaTypes } from '@squizzle/core/oci'
import { makeTestVersion } from '@squizzle/core/testing'
import { createFilesystemStorage } from '../src/index.js'
import { readJson, sha256Of, tempLayout, type TempLayout } from './helpers.js'

const skopeo = findOnPath('skopeo')
const inCi = Boolean(process.env['CI'])
if (!skopeo && !inCi) {
  console.warn(
    '\n*** skopeo is not on PATH: SKIPPING the skopeo interop tests (apt-get install skopeo). In CI they fail instead. ***\n',
  )
}

/** Runs skopeo with an argument list (never a shell string); the policy flag because no image signatures are involved. */
async function runSkopeo(...args: string[]): Promise<void> {
  if (!skopeo)
    throw new Error('skopeo is required in CI (CI is set) but is not on PATH: install it (apt-get install skopeo)')
  await promisify(execFile)(skopeo, ['--insecure-policy', ...args], { timeout: 60_000 })
}

describe.skipIf(!skopeo && !inCi)('interoperability with skopeo', () => {
  let tmp: TempLayout
  beforeEach(async () => {
    tmp = await tempLayout()
  })
  afterEach(() => tmp.cleanup())

  it('skopeo copies a version out of our layout byte for byte (oci: to dir:)', async () => {
    const storage = createFilesystemStorage(tmp.layout)
    const version = await makeTestVersion('2.0.0-rc.1', {
      'migrations/001_users.sql': 'CREATE TABLE users (id int);\n',
    })
    const ref = await storage.push(version)
    await storage.attach?.(ref, {
      artifactType: 'application/vnd.cyclonedx+json',
      mediaType: 'application/vnd.cyclonedx+json',
      data: Buffer.from('{}'),
    })
    const out = join(tmp.layout, '..', 'dir-copy')
    await runSkopeo('copy', `oci:${tmp.layout}:2.0.0-rc.1`, `dir:${out}`)
    expect(sha256Of(await readFile(join(out, 'manifest.json')))).toBe(ref.digest)
    expect(await readFile(join(out, ref.bundleDigest.slice(7)))).toEqual(Buffer.from(version.bundle))
  })

  it('reads, verifies, extends and deletes from a layout that skopeo wrote (index.json without mediaType)', async () => {
    const ours = createFilesystemStorage(tmp.layout)
    const refs = [
      await ours.push(await makeTestVersion('1.0.0', { 'migrations/001_users.sql': 'CREATE TABLE users (id int);\n' })),
      await ours.push(
        await makeTestVersion('1.1.0', { 'migrations/002_orders.sql': 'CREATE TABLE orders (id int);\n' }),
      ),
    ]
    const theirs = join(tmp.layout, '..', 'skopeo-layout')
    for (const { version } of refs) await runSkopeo('copy', `oci:${tmp.layout}:${version}`, `oci:${theirs}:${version}`)
    const written = (await readJson(join(theirs, 'index.json'))) as Record<string, unknown>
    expect(written['mediaType']).toBeUndefined() // the case under test: skopeo's own index.json

    const storage = createFilesystemStorage(theirs)
    expect(await storage.list()).toEqual(
      refs.map((r) => expect.objectContaining({ version: r.version, digest: r.digest })),
    )
    for (const { version, digest } of refs)
      expect(await verifyVersion(storage, version)).toMatchObject({ version, digest })

    // Writing into skopeo's layout keeps its entries and leaves it readable by skopeo.
    const added = await storage.push(
      await makeTestVersion('1.2.0', { 'migrations/003_items.sql': 'CREATE TABLE items (id int);\n' }),
    )
    const index = (await readJson(join(theirs, 'index.json'))) as {
      mediaType: string
      manifests: { annotations: Record<string, string> }[]
    }
    expect(index.mediaType).toBe(mediaTypes.imageIndex)
    expect(index.manifests.map((m) => m.annotations[annotations.refName])).toEqual(['1.0.0', '1.1.0', '1.2.0'])
    const back = join(tmp.layout, '..', 'back')
    await runSkopeo('copy', `oci:${theirs}:1.2.0`, `oci:${back}:1.2.0`)
    expect(await verifyVersion(createFilesystemStorage(back), '1.2.0')).toMatchObject({ digest: added.digest })

    // Deleting from skopeo's layout (no ingest/ directory there) keeps the rest whole.
    await storage.delete('1.0.0')
    expect((await storage.list()).map((v) => v.version)).toEqual(['1.1.0', '1.2.0'])
    await verifyVersion(storage, '1.1.0')
  })
})

function findOnPath(command: string): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    const candidate = join(dir, command)
    try {
      accessSync(candidate, constants.X_OK)
      return candidate
    } catch {
      // Not in this PATH entry; try the next one.
    }
  }
  return undefined
}
