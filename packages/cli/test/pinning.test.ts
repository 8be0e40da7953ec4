import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { createTestDatabase, query } from '@squizzle/testkit'
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest'
import { squizzle } from './support/cli-process.js'
import { createProject, type TestProject } from './support/project.js'

// Promotion by digest: `apply VERSION@sha256:…` runs only the artifact that was verified
// elsewhere (staging), and refuses with exit 3, running nothing, when the tag resolves to
// anything else, e.g. after someone rebuilt and re-pointed it.

let project: TestProject
let url: string
const run = (...args: string[]) => squizzle(args, { cwd: project.dir, env: { DATABASE_URL: url } })
const json = <T>(stdout: string) => JSON.parse(stdout) as T
const otherDigest = `sha256:${'0'.repeat(64)}`

async function build(version: string): Promise<string> {
  const r = await run('build', version, '--irreversible', '--json')
  expect(r.code, r.stderr).toBe(0)
  return json<{ digest: string }>(r.stdout).digest
}

/** Nothing of 1.0.0 ran, and the refusal is audited with its code. */
async function expectNothingRan(): Promise<void> {
  expect(await query(url, "SELECT to_regclass('public.users') AS t")).toEqual([{ t: null }])
  expect(await query(url, 'SELECT count(*)::int AS n FROM squizzle.history')).toEqual([{ n: 0 }])
  expect(await query(url, "SELECT operation, outcome, version, details->>'code' AS code FROM squizzle.audit")).toEqual([
    { operation: 'apply', outcome: 'refused', version: '1.0.0', code: 'PINNED_DIGEST_MISMATCH' },
  ])
}

beforeEach(async () => {
  project = await createProject()
  url = await createTestDatabase(inject('postgresUrl'))
  await project.add('migrations', '001_users.sql', 'CREATE TABLE users (id int);')
})
afterEach(async () => {
  await project.remove()
})

describe('apply VERSION@DIGEST', () => {
  it('applies a version pinned to the digest its tag resolves to', async () => {
    const digest = await build('1.0.0')
    const r = await run('apply', `1.0.0@${digest}`, '--json')
    expect(r.code, r.stdout).toBe(0)
    expect(json<{ applied: string[] }>(r.stdout).applied).toEqual(['1.0.0'])
    expect(await query(url, "SELECT manifest_digest FROM squizzle.history WHERE operation = 'apply'")).toEqual([
      { manifest_digest: digest },
    ])
    // Pinned again once applied: a no-op when it is what the database applied, exit 3 otherwise.
    expect((await run('apply', `1.0.0@${digest}`)).code).toBe(0)
    expect((await run('apply', `1.0.0@${otherDigest}`)).code).toBe(3)
  })

  it('refuses a wrong digest with exit 3, naming both digests, and runs nothing', async () => {
    const digest = await build('1.0.0')
    const r = await run('apply', `1.0.0@${otherDigest}`, '--json')
    expect(r.code).toBe(3)
    const { error } = json<{ error: { code: string; details: { pinned: string; actual: string } } }>(r.stdout)
    expect(error.code).toBe('PINNED_DIGEST_MISMATCH')
    expect(error.details).toMatchObject({ pinned: otherDigest, actual: digest })
    const human = await run('apply', `1.0.0@${otherDigest}`, '--dry-run')
    expect(human.code).toBe(3)
    expect(human.stderr).toContain(otherDigest)
    expect(human.stderr).toContain(digest)
    await expectNothingRan()
  })

  it('refuses a tag that was re-pointed after the digest was promoted (apply and verify)', async () => {
    const promoted = await build('1.0.0')
    // Someone rebuilds 1.0.0 from other SQL into the storage: the tag now names another artifact.
    await rm(join(project.dir, '.squizzle'), { recursive: true, force: true })
    await rm(join(project.dir, 'db/squizzle.sum'))
    await project.add('migrations', '001_users.sql', 'CREATE TABLE users (id int, admin boolean DEFAULT true);')
    const repointed = await build('1.0.0')
    expect(repointed).not.toBe(promoted)

    const r = await run('apply', `1.0.0@${promoted}`, '--json')
    expect(r.code).toBe(3)
    expect(json<{ error: { code: string; details: unknown } }>(r.stdout).error).toMatchObject({
      code: 'PINNED_DIGEST_MISMATCH',
      details: { pinned: promoted, actual: repointed },
    })
    await expectNothingRan()
    const verify = await run('verify', `1.0.0@${promoted}`, '--json')
    expect(verify.code).toBe(3)
    expect(json<{ error: { code: string } }>(verify.stdout).error.code).toBe('PINNED_DIGEST_MISMATCH')
    expect((await run('verify', `1.0.0@${repointed}`)).code).toBe(0)
  })

  it('refuses a malformed pin as a usage error (exit 2)', async () => {
    await build('1.0.0')
    const r = await run('apply', '1.0.0@sha256:abc', '--json')
    expect(r.code).toBe(2)
    expect(json<{ error: { code: string } }>(r.stdout).error.code).toBe('VERSION_INVALID')
  })
})

describe('push and pull VERSION@DIGEST', () => {
  it('copies a pinned version to another layout only when the digest matches', async () => {
    const digest = await build('1.0.0')
    const usb = join(project.dir, 'usb')
    const wrong = await run('push', `1.0.0@${otherDigest}`, '--storage', `file:${usb}`, '--json')
    expect(wrong.code).toBe(3)
    expect(json<{ error: { code: string } }>(wrong.stdout).error.code).toBe('PINNED_DIGEST_MISMATCH')
    const nothing = await run('list', '--storage', `file:${usb}`, '--json')
    expect(json<{ error: { code: string } }>(nothing.stdout).error.code).toBe('STORAGE_NOT_FOUND')
    const right = await run('push', `1.0.0@${digest}`, '--storage', `file:${usb}`, '--json')
    expect(right.code, right.stdout).toBe(0)
    expect(json<{ digest: string }>(right.stdout).digest).toBe(digest)
  })
})
