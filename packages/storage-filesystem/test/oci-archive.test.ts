import { execFile } from 'node:child_process'
import { accessSync, constants, createWriteStream } from 'node:fs'
import { readdir, readFile, writeFile } from 'node:fs/promises'
import { delimiter, join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { promisify } from 'node:util'
import tar from 'tar-stream'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { importVersions, verifyVersion } from '@squizzle/core'
import { annotations } from '@squizzle/core/oci'
import { makeTestVersion } from '@squizzle/core/testing'
import { createFilesystemStorage, openOciArchive, writeOciArchive } from '../src/index.js'
import { expectCode, readJson, tempLayout, type TempLayout } from './helpers.js'

// An OCI archive (a tar of an OCI image layout) carries versions and their attachments
// across an air gap; skopeo reads it as oci-archive:FILE:TAG. Opening one is opening
// untrusted input: only layout files, no links, no escapes, every blob hashing to its name.

const skopeo = findOnPath('skopeo')
const inCi = Boolean(process.env['CI'])
if (!skopeo && !inCi) {
  console.warn(
    '\n*** skopeo is not on PATH: SKIPPING the oci-archive skopeo tests (apt-get install skopeo). ' +
      'In CI they fail instead. ***\n',
  )
}

let tmp: TempLayout
const sbom = {
  artifactType: 'application/vnd.cyclonedx+json',
  mediaType: 'application/vnd.cyclonedx+json',
  data: Buffer.from('{"bomFormat":"CycloneDX"}'),
}

beforeEach(async () => {
  tmp = await tempLayout()
})
afterEach(() => tmp.cleanup())

/** A layout with 1.0.0 (with an SBOM attached) and 1.1.0, and an archive of both. */
async function exported(): Promise<{ file: string; digests: Record<string, string> }> {
  const source = createFilesystemStorage(tmp.layout)
  const first = await source.push(
    await makeTestVersion('1.0.0', { 'migrations/001_users.sql': 'CREATE TABLE users (id int);\n' }),
  )
  const second = await source.push(
    await makeTestVersion('1.1.0', { 'migrations/002_orders.sql': 'CREATE TABLE orders (id int);\n' }),
  )
  await source.attach?.(first, sbom)
  const file = join(tmp.layout, '..', 'release.tar')
  const archived = await writeOciArchive(source.target, ['1.0.0', '1.1.0'], file)
  expect(archived).toEqual([
    { version: '1.0.0', digest: first.digest },
    { version: '1.1.0', digest: second.digest },
  ])
  return { file, digests: { '1.0.0': first.digest, '1.1.0': second.digest } }
}

type HostileEntry = { name: string; content?: string; type?: 'symlink' | 'link' | 'directory'; linkname?: string }

/** Writes a tar with the given entries (regular files with content, links, directories). */
async function writeTar(
  file: string,
  entries: { header: Parameters<tar.Pack['entry']>[0]; content?: string | Buffer }[],
): Promise<void> {
  const pack = tar.pack()
  const written = pipeline(pack, createWriteStream(file))
  for (const e of entries) {
    if (e.content === undefined) pack.entry(e.header)
    else pack.entry(e.header, e.content)
  }
  pack.finalize()
  await written
}

async function hostileTar(file: string, entries: HostileEntry[]): Promise<void> {
  await writeTar(
    file,
    entries.map((e) =>
      e.type
        ? { header: { name: e.name, type: e.type, ...(e.linkname ? { linkname: e.linkname } : {}) } }
        : { header: { name: e.name }, content: e.content ?? '' },
    ),
  )
}

describe('OCI archives', () => {
  it('carries versions with their attachments into an empty layout, verified', async () => {
    const { file, digests } = await exported()
    const archive = await openOciArchive(file)
    const destination = createFilesystemStorage(join(tmp.layout, '..', 'site'))
    try {
      const imported = await importVersions(archive.target, destination.target)
      expect(imported.map((v) => [v.version, v.digest, v.attachments, v.existed])).toEqual([
        ['1.0.0', digests['1.0.0'], 1, false],
        ['1.1.0', digests['1.1.0'], 0, false],
      ])
    } finally {
      await archive.dispose()
    }
    expect((await destination.list()).map((v) => v.digest)).toEqual([digests['1.0.0'], digests['1.1.0']])
    const ref = (await destination.pull('1.0.0')).ref
    expect((await destination.attachments?.(ref))?.map((a) => Buffer.from(a.data).toString())).toEqual([
      '{"bomFormat":"CycloneDX"}',
    ])
    for (const version of ['1.0.0', '1.1.0']) await verifyVersion(destination, version)
  })

  it('names every version in index.json by ref.name, and writes the same bytes twice', async () => {
    const { file } = await exported()
    const again = join(tmp.layout, '..', 'again.tar')
    await writeOciArchive(createFilesystemStorage(tmp.layout).target, ['1.0.0', '1.1.0'], again)
    expect(await readFile(again)).toEqual(await readFile(file))
    const archive = await openOciArchive(file)
    try {
      const tags = []
      for await (const tag of archive.target.tags()) tags.push(tag)
      expect(tags).toEqual(expect.arrayContaining(['1.0.0', '1.1.0']))
      await expectCode(
        archive.target.tag({ mediaType: 'x', digest: `sha256:${'0'.repeat(64)}`, size: 1 }, 'x'),
        'STORAGE_UNSUPPORTED',
      )
    } finally {
      await archive.dispose()
    }
  })

  it('verifies every version before copying any: one bad version leaves the destination empty', async () => {
    // A hand-made archive whose index.json also tags the manifest of 1.0.0 as 1.1.0.
    const pack = join(tmp.layout, '..', 'retagged')
    await createFilesystemStorage(pack).push(
      await makeTestVersion('1.0.0', { 'migrations/001_users.sql': 'CREATE TABLE users (id int);\n' }),
    )
    const index = (await readJson(join(pack, 'index.json'))) as { manifests: { annotations: Record<string, string> }[] }
    index.manifests.push({ ...index.manifests[0]!, annotations: { [annotations.refName]: '1.1.0' } })
    await writeFile(join(pack, 'index.json'), JSON.stringify(index))
    const bad = join(tmp.layout, '..', 'bad.tar')
    await tarOfLayout(pack, bad)
    const archive = await openOciArchive(bad)
    const destination = createFilesystemStorage(join(tmp.layout, '..', 'site'))
    try {
      await expectCode(importVersions(archive.target, destination.target), 'TAMPERED')
    } finally {
      await archive.dispose()
    }
    expect(await destination.list()).toEqual([])
  })

  it('refuses an archive with a blob that does not hash to its name (DIGEST_MISMATCH)', async () => {
    const { file } = await exported()
    const bytes = await readFile(file)
    const at = bytes.indexOf('"bomFormat"')
    bytes[at + 2] = bytes[at + 2]! ^ 0x01
    await writeFile(file, bytes)
    await expectCode(openOciArchive(file), 'DIGEST_MISMATCH')
  })

  it.each<[string, HostileEntry[]]>([
    ['a symbolic link', [{ name: 'index.json', type: 'symlink', linkname: '/etc/passwd' }]],
    [
      'a hard link',
      [
        { name: 'oci-layout', content: '{}' },
        { name: 'index.json', type: 'link', linkname: 'oci-layout' },
      ],
    ],
    ['a path escaping the layout', [{ name: '../evil', content: 'x' }]],
    ['an absolute path', [{ name: '/tmp/evil', content: 'x' }]],
    ['an entry that is no part of a layout', [{ name: 'run.sh', content: 'x' }]],
    [
      'a duplicated entry',
      [
        { name: 'oci-layout', content: '{}' },
        { name: 'oci-layout', content: '{}' },
      ],
    ],
    ['a directory elsewhere', [{ name: 'blobs/sha512/', type: 'directory' }]],
    ['no index.json', [{ name: 'oci-layout', content: '{"imageLayoutVersion":"1.0.0"}' }]],
  ])('refuses %s (ARCHIVE_UNSAFE)', async (_what, entries) => {
    const file = join(tmp.layout, '..', 'hostile.tar')
    await hostileTar(file, entries)
    await expectCode(openOciArchive(file), 'ARCHIVE_UNSAFE')
  })

  it('refuses a file that is not a tar, and one beyond the size limit', async () => {
    const file = join(tmp.layout, '..', 'not.tar')
    await writeFile(
      file,
      'definitely not a tar archive, just text that is long enough to look like a header block'.repeat(20),
    )
    await expectCode(openOciArchive(file), 'ARCHIVE_UNSAFE')
    const { file: real } = await exported()
    await expectCode(openOciArchive(real, { limits: { maxArchiveBytes: 1024 } }), 'ARCHIVE_UNSAFE')
  })

  describe.skipIf(!skopeo && !inCi)('with skopeo', () => {
    it('skopeo copies each version out of our archive (oci-archive:FILE:TAG)', async () => {
      const { file, digests } = await exported()
      const out = join(tmp.layout, '..', 'skopeo-out')
      for (const version of ['1.0.0', '1.1.0']) {
        await runSkopeo('copy', `oci-archive:${file}:${version}`, `oci:${out}:${version}`)
        expect(await verifyVersion(createFilesystemStorage(out), version)).toMatchObject({ digest: digests[version] })
      }
    })

    it('imports an archive skopeo wrote', async () => {
      const source = createFilesystemStorage(tmp.layout)
      const ref = await source.push(
        await makeTestVersion('1.0.0', { 'migrations/001_users.sql': 'CREATE TABLE users (id int);\n' }),
      )
      const file = join(tmp.layout, '..', 'skopeo.tar')
      await runSkopeo('copy', `oci:${tmp.layout}:1.0.0`, `oci-archive:${file}:1.0.0`)
      const archive = await openOciArchive(file)
      const destination = createFilesystemStorage(join(tmp.layout, '..', 'site'))
      try {
        expect((await importVersions(archive.target, destination.target)).map((v) => v.digest)).toEqual([ref.digest])
      } finally {
        await archive.dispose()
      }
      await verifyVersion(destination, '1.0.0')
    })
  })
})

/** Tars a layout directory as it is (its index.json included), the way a hand-made archive would look. */
async function tarOfLayout(layout: string, file: string): Promise<void> {
  const blobs = await readdir(join(layout, 'blobs', 'sha256'))
  await writeTar(file, [
    { header: { name: 'oci-layout' }, content: await readFile(join(layout, 'oci-layout')) },
    { header: { name: 'index.json' }, content: await readFile(join(layout, 'index.json')) },
    ...(await Promise.all(
      blobs.map(async (name) => ({
        header: { name: `blobs/sha256/${name}` },
        content: await readFile(join(layout, 'blobs', 'sha256', name)),
      })),
    )),
  ])
}

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
