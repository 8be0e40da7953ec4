import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { copyVersion, createTargetStorage } from '@squizzle/core'
import { annotations } from '@squizzle/core/oci'
import { makeTestVersion } from '@squizzle/core/testing'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createFilesystemStorage, OciLayoutTarget } from '../src/index.js'
import { tempLayout, type TempLayout } from './helpers.js'

const users = { 'migrations/001_users.sql': 'CREATE TABLE users (id int PRIMARY KEY);\n' }
let from: TempLayout
let to: TempLayout
beforeEach(async () => {
  ;[from, to] = await Promise.all([tempLayout(), tempLayout()])
})
afterEach(async () => {
  await Promise.all([from.cleanup(), to.cleanup()])
})

describe("release notes in a version's index.json entry (display only)", () => {
  it('are copied from the verified manifest, never from the source index', async () => {
    await createFilesystemStorage(from.layout).push(await makeTestVersion('1.0.0', users, { notes: 'users table' }))
    const index = join(from.layout, 'index.json')
    const forged = JSON.parse(await readFile(index, 'utf8')) as { manifests: { annotations: Record<string, string> }[] }
    forged.manifests[0]!.annotations[annotations.notes] = JSON.stringify('forged')
    await writeFile(index, JSON.stringify(forged))
    expect((await createFilesystemStorage(from.layout).list())[0]!.notes).toBe('forged')
    await copyVersion(new OciLayoutTarget(from.layout), new OciLayoutTarget(to.layout), '1.0.0')
    const copied = await createTargetStorage(new OciLayoutTarget(to.layout)).list()
    expect(copied.map((v) => [v.version, v.notes])).toEqual([['1.0.0', 'users table']])
  })

  it('are left out when too long for an index entry, and then read from the manifest', async () => {
    const storage = createFilesystemStorage(from.layout)
    await storage.push(await makeTestVersion('1.0.0', users, { notes: 'n'.repeat(5000) }))
    const entry = (await new OciLayoutTarget(from.layout).resolveTags())[0]!
    expect(entry.desc.annotations?.[annotations.notes]).toBeUndefined()
    expect((await storage.list())[0]!.notes).toBeUndefined()
    expect((await storage.pull('1.0.0')).manifest.notes).toHaveLength(5000)
  })
})
