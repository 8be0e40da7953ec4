import { readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { createTargetStorage, Migrator, type ContentTarget, type Descriptor } from '@squizzle/core'
import { annotations, mediaTypes } from '@squizzle/core/oci'
import { makeTestVersion } from '@squizzle/core/testing'
import { PostgresDriver } from '@squizzle/driver-postgres'
import { createFilesystemStorage, OciLayoutTarget } from '@squizzle/storage-filesystem'
import { createTestDatabase } from '@squizzle/testkit'
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest'
import { squizzle } from './support/cli-process.js'
import { createProject, type TestProject } from './support/project.js'

// `list` and a no-op `apply` over a long history: index.json is read once, and no stored
// version's manifest is opened (its notes travel in its index entry, display only).

let project: TestProject
let url: string
const layoutDir = () => join(project.dir, '.squizzle/artifacts')
const indexFile = () => join(layoutDir(), 'index.json')
const run = (...args: string[]) => squizzle(args, { cwd: project.dir, env: { DATABASE_URL: url } })

interface IndexJson {
  manifests: (Descriptor & { annotations: Record<string, string> })[]
}
const readIndexJson = async () => JSON.parse(await readFile(indexFile(), 'utf8')) as IndexJson
const editIndexJson = async (edit: (entry: IndexJson['manifests'][number]) => void) => {
  const index = await readIndexJson()
  for (const entry of index.manifests) edit(entry)
  await writeFile(indexFile(), JSON.stringify(index))
}
const listJson = async () => {
  const r = await run('list', '--json')
  expect(r.code, r.stderr).toBe(0)
  return (JSON.parse(r.stdout) as { versions: { version: string; notes: string | null }[] }).versions
}

/** Stores `count` chained versions, every odd one with notes; returns each version's notes. */
async function storeVersions(count: number): Promise<Map<string, string | null>> {
  const storage = createFilesystemStorage(layoutDir())
  const notes = new Map<string, string | null>()
  let previous: { version: string; digest: string } | null = null
  for (let i = 1; i <= count; i++) {
    const version = `1.${i - 1}.0`
    const text = i % 2 === 1 ? `release ${i}: table t${i}` : undefined
    const files = { [`migrations/${String(i).padStart(3, '0')}_t${i}.sql`]: `CREATE TABLE t${i} (id int);\n` }
    const input = await makeTestVersion(version, files, {
      ...(text === undefined ? {} : { notes: text }),
      ...(previous ? { previousVersion: previous.version, previousDigest: previous.digest } : {}),
    })
    previous = { version, digest: (await storage.push(input)).digest }
    notes.set(version, text ?? null)
  }
  return notes
}

beforeEach(async () => {
  project = await createProject()
  url = await createTestDatabase(inject('postgresUrl'))
})
afterEach(() => project.remove())

describe('list over the layout index', () => {
  it("records each version's notes in its index.json entry and lists them from there", async () => {
    const notes = await storeVersions(3)
    const entries = (await readIndexJson()).manifests
    expect(entries.map((e) => e.annotations[annotations.notes])).toEqual([
      JSON.stringify('release 1: table t1'),
      'null',
      JSON.stringify('release 3: table t3'),
    ])
    expect((await listJson()).map((v) => [v.version, v.notes])).toEqual([...notes])
  })

  it('opens no manifest: with every Squizzle manifest blob gone, list still shows the notes', async () => {
    const notes = await storeVersions(3)
    const before = await listJson()
    const blob = (digest: string) => join(layoutDir(), 'blobs/sha256', digest.slice('sha256:'.length))
    const bundles = (await readIndexJson()).manifests.filter((m) => m.artifactType === mediaTypes.bundleArtifact)
    expect(bundles).toHaveLength(3)
    for (const entry of bundles) {
      const image = JSON.parse(await readFile(blob(entry.digest), 'utf8')) as { config: Descriptor }
      await rm(blob(image.config.digest))
    }
    expect(notes.size).toBe(3)
    expect(await listJson()).toEqual(before)
  })

  it('lists an old layout, whose entries carry no notes, the same way (from the manifests)', async () => {
    await storeVersions(3)
    const before = await listJson()
    await editIndexJson((entry) => delete entry.annotations[annotations.notes])
    expect(await listJson()).toEqual(before)
    // A damaged or oversized value is not trusted either: the manifest answers.
    await editIndexJson((entry) => (entry.annotations[annotations.notes] = '{"not": "notes"'))
    expect(await listJson()).toEqual(before)
  })

  it('shows hostile notes from an index annotation escaped on a terminal; apply and verify ignore them', async () => {
    await storeVersions(2)
    const hostile = 'ok\u001b[2J\u001b]0;pwned\u0007\u202egnp'
    await editIndexJson((entry) => (entry.annotations[annotations.notes] = JSON.stringify(hostile)))
    const text = await squizzle(['list'], { cwd: project.dir, env: { DATABASE_URL: url, COLUMNS: '200' } })
    expect(text.code).toBe(0)
    expect(text.stdout).not.toMatch(/[\u001b\u0007\u202e]/)
    expect(text.stdout).toContain('ok\\x1b[2J\\x1b]0;pwned\\x07\\u202egnp')
    expect((await listJson()).map((v) => v.notes)).toEqual([hostile, hostile])
    expect((await run('verify', '1.1.0')).code).toBe(0)
    expect((await run('apply')).code).toBe(0)
    const status = JSON.parse((await run('status', '--json')).stdout) as { applied: { notes: string | null }[] }
    // What the database recorded comes from the verified manifests, not from the index.
    expect(status.applied.map((a) => a.notes)).toEqual(['release 1: table t1', null])
  })
})

/** A layout target that counts what it is asked: manifest fetches and index reads. */
class CountingTarget implements ContentTarget {
  readonly fetched: string[] = []
  indexReads = 0
  private readonly inner: OciLayoutTarget
  readonly name: string
  constructor(dir: string) {
    this.inner = new OciLayoutTarget(dir)
    this.name = this.inner.name
  }
  fetch(desc: Descriptor): Promise<Readable> {
    this.fetched.push(desc.digest)
    return this.inner.fetch(desc)
  }
  push(desc: Descriptor, content: Readable | Uint8Array): Promise<void> {
    return this.inner.push(desc, content)
  }
  exists(desc: Descriptor): Promise<boolean> {
    return this.inner.exists(desc)
  }
  resolve(reference: string): Promise<Descriptor> {
    if (!reference.includes(':')) this.indexReads++
    return this.inner.resolve(reference)
  }
  tag(desc: Descriptor, reference: string): Promise<void> {
    return this.inner.tag(desc, reference)
  }
  tags(): AsyncIterable<string> {
    this.indexReads++
    return this.inner.tags()
  }
  resolveTags() {
    this.indexReads++
    return this.inner.resolveTags()
  }
}

describe('cost independent of history', () => {
  it('lists 40 versions with their notes from one index read and no fetch', async () => {
    const notes = await storeVersions(40)
    const target = new CountingTarget(layoutDir())
    const listed = await createTargetStorage(target).list()
    expect(listed.map((v) => [v.version, v.notes])).toEqual([...notes])
    expect([target.indexReads, target.fetched.length]).toEqual([1, 0])
  })

  it('a no-op apply over 40 applied versions reads the index once and fetches nothing', async () => {
    await storeVersions(40)
    expect((await run('apply', '--quiet')).code).toBe(0)
    const target = new CountingTarget(layoutDir())
    const driver = new PostgresDriver({ url })
    await driver.connect()
    try {
      const migrator = new Migrator({ storage: createTargetStorage(target), driver, toolVersion: '0.0.0-test' })
      const result = await migrator.apply()
      expect([result.alreadyCurrent, result.current]).toEqual([true, '1.39.0'])
    } finally {
      await driver.close()
    }
    expect([target.indexReads, target.fetched.length]).toEqual([1, 0])
  })

  it('builds one more version and verifies it without opening an earlier bundle or manifest', async () => {
    for (const [i, version] of ['1.0.0', '1.1.0'].entries()) {
      await project.add('migrations', `00${i + 1}_t${i}.sql`, `CREATE TABLE t${i} (id int);\n`)
      expect((await run('build', version, '--irreversible', '--no-snapshot')).code).toBe(0)
    }
    // Only the released versions' OCI manifests stay: their configs (Squizzle manifests) and bundles go.
    const blob = (digest: string) => join(layoutDir(), 'blobs/sha256', digest.slice('sha256:'.length))
    const bundles = (await readIndexJson()).manifests.filter((m) => m.artifactType === mediaTypes.bundleArtifact)
    expect(bundles).toHaveLength(2)
    for (const entry of bundles) {
      const image = JSON.parse(await readFile(blob(entry.digest), 'utf8')) as {
        config: Descriptor
        layers: Descriptor[]
      }
      for (const d of [image.config, ...image.layers]) await rm(blob(d.digest))
    }
    await project.add('migrations', '003_t2.sql', 'CREATE TABLE t2 (id int);\n')
    const built = await run('build', '1.2.0', '--irreversible', '--no-snapshot')
    expect(built.code, built.stderr).toBe(0)
    const verified = await run('verify', '1.2.0')
    expect(verified.code, verified.stderr).toBe(0)
  })
})
