import { execFile } from 'node:child_process'
import { accessSync, constants } from 'node:fs'
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises'
import { delimiter, join } from 'node:path'
import { promisify } from 'node:util'
import { verifyVersion } from '@squizzle/core'
import { createFilesystemStorage } from '@squizzle/storage-filesystem'
import { createTestDatabase, query } from '@squizzle/testkit'
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest'
import { squizzle } from './support/cli-process.js'
import { createProject, type TestProject } from './support/project.js'

// Air gaps: `export` writes versions with their signatures, SBOM and provenance to one OCI
// archive (skopeo reads it too); `import` on the other side verifies all of it before anything
// becomes visible; `push --storage file:DIR` copies to another layout (a USB stick).

const skopeo = findOnPath('skopeo')
const inCi = Boolean(process.env['CI'])
if (!skopeo && !inCi) {
  console.warn(
    '\n*** skopeo is not on PATH: SKIPPING the skopeo step of the export test (apt-get install skopeo). ' +
      'In CI it fails instead. ***\n',
  )
}

const passphrase = 'export test passphrase 1'
let source: TestProject
let site: TestProject
const json = <T>(stdout: string) => JSON.parse(stdout) as T
const inSource = (...args: string[]) =>
  squizzle(args, { cwd: source.dir, env: { SQUIZZLE_SIGNING_KEY_PASSPHRASE: passphrase } })
const listed = async (project: TestProject, ...extra: string[]) =>
  json<{ versions: { version: string; digest: string }[] }>(
    (await squizzle(['list', '--json', ...extra], { cwd: project.dir })).stdout,
  ).versions.map(({ version, digest }) => ({ version, digest }))

/** The site's config: signatures required from the source's key. */
const siteConfig = [
  'storage: file:.squizzle/artifacts',
  'trust:',
  '  signatures: required',
  '  publicKeys: [keys/release.pub]',
  '',
].join('\n')

beforeEach(async () => {
  source = await createProject(
    ['storage: file:.squizzle/artifacts', 'signing:', '  key: keys/release.key', ''].join('\n'),
  )
  site = await createProject(siteConfig)
  expect((await inSource('keygen', '--out', 'keys/release')).code).toBe(0)
  await mkdir(join(site.dir, 'keys'))
  await copyFile(join(source.dir, 'keys/release.pub'), join(site.dir, 'keys/release.pub'))
  await source.add('migrations', '001_users.sql', 'CREATE TABLE users (id int);')
  expect((await inSource('build', '1.0.0', '--irreversible', '--sign')).code).toBe(0)
  await source.add('migrations', '002_orders.sql', 'CREATE TABLE orders (id int);')
  expect((await inSource('build', '1.1.0', '--irreversible', '--sign')).code).toBe(0)
})
afterEach(async () => {
  await source.remove()
  await site.remove()
})

describe('squizzle export and import', () => {
  it('exports two versions skopeo reads; another site imports, applies them and names the signer', async () => {
    const file = join(source.dir, 'release.tar')
    const exported = await inSource('export', '1.0.0', '1.1.0', '-o', file, '--json')
    expect(exported.code, exported.stdout).toBe(0)
    const versions = json<{ versions: { version: string; digest: string }[] }>(exported.stdout).versions
    expect(versions).toEqual(await listed(source))

    if (skopeo || inCi) {
      const out = join(source.dir, 'skopeo-layout')
      await runSkopeo('copy', `oci-archive:${file}:1.0.0`, `oci:${out}:1.0.0`)
      expect(await verifyVersion(createFilesystemStorage(out), '1.0.0')).toMatchObject({ digest: versions[0]!.digest })
    }

    const archive = join(site.dir, 'from-usb.tar')
    await copyFile(file, archive)
    const imported = await squizzle(['import', 'from-usb.tar'], { cwd: site.dir })
    expect(imported.code, imported.stderr).toBe(0)
    expect(imported.stdout).toContain('signed by')
    expect(await listed(site)).toEqual(versions)

    const url = await createTestDatabase(inject('postgresUrl'))
    const applied = await squizzle(['apply', `1.1.0@${versions[1]!.digest}`], {
      cwd: site.dir,
      env: { DATABASE_URL: url },
    })
    expect(applied.code, applied.stderr).toBe(0)
    expect(await query(url, "SELECT to_regclass('public.orders') AS t")).toEqual([{ t: 'orders' }])
    const verified = await squizzle(['verify', '1.1.0'], { cwd: site.dir, env: { DATABASE_URL: url } })
    expect(verified.code, verified.stderr).toBe(0)
    expect(verified.stdout).toMatch(/signed by \S+/)
    // Importing the same file again changes nothing and says so.
    const again = await squizzle(['import', 'from-usb.tar', '--json'], { cwd: site.dir })
    expect(json<{ versions: { existed: boolean }[] }>(again.stdout).versions.map((v) => v.existed)).toEqual([
      true,
      true,
    ])
  })

  it('refuses a tampered archive (one byte of a blob) with exit 3, and the destination lists nothing', async () => {
    const file = join(site.dir, 'release.tar')
    expect((await inSource('export', '--all', '-o', file)).code).toBe(0)
    // One byte of a blob: a Squizzle manifest (config blob) inside the archive.
    const bytes = await readFile(file)
    const manifest = bytes.indexOf('{"checksum"')
    expect(manifest).toBeGreaterThan(0)
    bytes[manifest + 3] = bytes[manifest + 3]! ^ 0x20
    await writeFile(file, bytes)
    const r = await squizzle(['import', 'release.tar', '--json'], { cwd: site.dir })
    expect(r.code).toBe(3)
    expect(json<{ error: { code: string } }>(r.stdout).error.code).toBe('DIGEST_MISMATCH')
    expect(await listed(site)).toEqual([])
  })

  it('refuses unsigned versions where the site requires signatures (exit 4), and imports nothing', async () => {
    const unsigned = await createProject()
    try {
      await unsigned.add('migrations', '001_users.sql', 'CREATE TABLE users (id int);')
      expect((await squizzle(['build', '1.0.0', '--irreversible'], { cwd: unsigned.dir })).code).toBe(0)
      const file = join(site.dir, 'unsigned.tar')
      expect((await squizzle(['export', '1.0.0', '-o', file], { cwd: unsigned.dir })).code).toBe(0)
      const r = await squizzle(['import', 'unsigned.tar', '--json'], { cwd: site.dir })
      expect(r.code).toBe(4)
      expect(json<{ error: { code: string } }>(r.stdout).error.code).toBe('SIGNATURE_MISSING')
      expect(await listed(site)).toEqual([])
    } finally {
      await unsigned.remove()
    }
  })

  it('refuses export without versions or file, and a version with another digest on import (exit 3)', async () => {
    expect((await inSource('export', '-o', 'x.tar')).code).toBe(2)
    expect((await inSource('export', '1.0.0')).code).toBe(2)
    expect((await inSource('export', '1.0.0', '--all', '-o', 'x.tar')).code).toBe(2)
    // The site already holds another 1.0.0.
    const other = await createProject()
    try {
      await other.add('migrations', '001_users.sql', 'CREATE TABLE people (id int);')
      expect((await squizzle(['build', '1.0.0', '--irreversible'], { cwd: other.dir })).code).toBe(0)
      expect(
        (
          await squizzle(['push', '1.0.0', '--storage', `file:${join(site.dir, '.squizzle/artifacts')}`], {
            cwd: other.dir,
          })
        ).code,
      ).toBe(0)
      const before = await listed(site)
      const file = join(site.dir, 'release.tar')
      expect((await inSource('export', '--all', '-o', file)).code).toBe(0)
      const r = await squizzle(['import', 'release.tar', '--json'], { cwd: site.dir })
      expect(r.code).toBe(3)
      expect(json<{ error: { code: string } }>(r.stdout).error.code).toBe('IMMUTABLE_VERSION')
      expect(await listed(site)).toEqual(before)
    } finally {
      await other.remove()
    }
  })
})

describe('squizzle push --storage file:DIR', () => {
  it('copies a version with its attachments to another layout directory, and back with pull', async () => {
    const usb = join(source.dir, 'usb')
    const r = await inSource('push', '1.0.0', '--storage', `file:${usb}`, '--json')
    expect(r.code, r.stdout).toBe(0)
    expect(await listed(source, '--storage', `file:${usb}`)).toEqual([(await listed(source))[0]])
    const pushed = createFilesystemStorage(usb)
    const ref = (await pushed.pull('1.0.0')).ref
    expect((await pushed.attachments?.(ref))?.length).toBeGreaterThan(0)
    // And back: pull from the directory into a fresh project's layout.
    const pulled = await squizzle(['pull', '1.0.0', '--storage', `file:${usb}`], { cwd: site.dir })
    expect(pulled.code, pulled.stderr).toBe(0)
    expect(await listed(site)).toEqual([(await listed(source))[0]])
    // The local layout itself is no other side (exit 2).
    expect((await inSource('push', '1.0.0', '--storage', 'file:.squizzle/artifacts')).code).toBe(2)
  })
})

async function runSkopeo(...args: string[]): Promise<void> {
  if (!skopeo)
    throw new Error('skopeo is required in CI (CI is set) but is not on PATH: install it (apt-get install skopeo)')
  await promisify(execFile)(skopeo, ['--insecure-policy', ...args], { timeout: 60_000 })
}

function findOnPath(command: string): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    try {
      accessSync(join(dir, command), constants.X_OK)
      return join(dir, command)
    } catch {
      // Not in this PATH entry; try the next one.
    }
  }
  return undefined
}
