import { join } from 'node:path'
import { canonicalJson, computeChecksum, type Manifest } from '@squizzle/core'
import { bundleImageManifest, describeBytes, mediaTypes } from '@squizzle/core/oci'
import { makeTestVersion } from '@squizzle/core/testing'
import { createFilesystemStorage } from '@squizzle/storage-filesystem'
import { createTestDatabase, query } from '@squizzle/testkit'
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest'
import { squizzle } from './support/cli-process.js'
import { createProject, type TestProject } from './support/project.js'

// Artifacts an attacker with write access to storage could plant with every digest
// consistent (blobs re-hashed, tag re-pointed): only the manifest's own rules stop them.
let project: TestProject
let url: string

beforeEach(async () => {
  project = await createProject()
  url = await createTestDatabase(inject('postgresUrl'))
})
afterEach(() => project.remove())

const storage = () => createFilesystemStorage(join(project.dir, '.squizzle/artifacts'))

/** Stores `manifest` (any JSON) and `bundle` as version 1.0.0, bypassing every check a push makes. */
async function plant(manifest: Record<string, unknown>, bundle: Uint8Array): Promise<void> {
  const { target } = storage()
  const configBytes = Buffer.from(canonicalJson(manifest), 'utf8')
  const config = describeBytes(mediaTypes.squizzleManifest, configBytes)
  const layer = describeBytes(mediaTypes.bundleLayer, bundle)
  const image = bundleImageManifest(manifest as unknown as Manifest, config, layer)
  await target.push(config, configBytes)
  await target.push(layer, bundle)
  await target.push(image.desc, image.bytes)
  await target.tag(image.desc, '1.0.0')
}

async function expectRefused(code: string): Promise<void> {
  const r = await squizzle(['apply', '--json'], { cwd: project.dir, env: { DATABASE_URL: url } })
  expect(r.code).toBe(3)
  expect((JSON.parse(r.stdout) as { error: { code: string } }).error.code).toBe(code)
  expect(await query(url, "SELECT to_regclass('public.t') AS t")).toEqual([{ t: null }])
  expect(await query(url, 'SELECT count(*)::int AS n FROM squizzle.history')).toEqual([{ n: 0 }])
  expect(await query(url, "SELECT outcome, details->>'code' AS code FROM squizzle.audit")).toEqual([
    { outcome: 'refused', code },
  ])
}

describe('hostile artifacts in storage', () => {
  it('refuses a manifest that violates the schema (a traversal path), audited, nothing run', async () => {
    const { manifest, bundle } = await makeTestVersion('1.0.0', { 'migrations/001.sql': 'CREATE TABLE t (id int);' })
    const files = manifest.files.map((f) => ({ ...f, path: 'migrations/../../../etc/001.sql' }))
    await plant({ ...manifest, files, checksum: computeChecksum(files) }, bundle)
    await expectRefused('MANIFEST_INVALID')
  })

  it('refuses a manifest that lies about a file size (checksum recomputed to match), audited, nothing run', async () => {
    const { manifest, bundle } = await makeTestVersion('1.0.0', {
      'migrations/001.sql': 'CREATE TABLE t (id int); DROP TABLE IF EXISTS x;',
    })
    const files = manifest.files.map((f) => ({ ...f, size: f.size - 20 }))
    await plant({ ...manifest, files, checksum: computeChecksum(files) }, bundle)
    await expectRefused('BUNDLE_CORRUPT')
  })
})
