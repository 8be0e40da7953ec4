import { mkdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { maxManifestBytes } from '@squizzle/core/oci'
import { createFilesystemStorage } from '@squizzle/storage-filesystem'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { squizzle } from './support/cli-process.js'
import { createProject, type TestProject } from './support/project.js'

// 9,000 files with long but legal paths (about 500 characters each) make a manifest of
// about 6 MB. Readers refuse manifests over 4 MiB, so such a version, once stored, could
// never be verified or applied, and every later build (which reads stored manifests) failed.
let project: TestProject

beforeEach(async () => {
  project = await createProject()
})
afterEach(() => project.remove())

const folder = ['migrations', 'a'.repeat(200), 'b'.repeat(200)]
const fileName = (i: number) => `${String(i).padStart(5, '0')}_${'c'.repeat(80)}.sql`

async function addFiles(count: number): Promise<void> {
  const dir = join(project.dir, 'db', ...folder)
  await mkdir(dir, { recursive: true })
  for (let i = 0; i < count; i += 500) {
    await Promise.all(
      Array.from({ length: Math.min(500, count - i) }, (_, j) =>
        writeFile(join(dir, fileName(i + j)), `SELECT ${i + j};\n`),
      ),
    )
  }
}

describe('a version whose manifest readers would refuse', () => {
  it('is refused by build before anything is stored, naming the limit; a smaller version then builds', async () => {
    await addFiles(9000)
    expect(`${folder.slice(1).join('/')}/${fileName(0)}`.length + 'migrations/'.length).toBeLessThanOrEqual(512)
    const r = await squizzle(['build', '1.0.0', '--irreversible', '--no-snapshot', '--json'], { cwd: project.dir })
    const error = (
      JSON.parse(r.stdout) as { error: { code: string; message: string; details: { limit: number; bytes: number } } }
    ).error
    expect([r.code, error.code]).toEqual([1, 'MANIFEST_TOO_LARGE'])
    expect(error.details.limit).toBe(maxManifestBytes)
    expect(error.details.bytes).toBeGreaterThan(maxManifestBytes)
    expect(error.message).toContain(String(maxManifestBytes))
    expect(await createFilesystemStorage(join(project.dir, '.squizzle/artifacts')).list()).toEqual([])
    await rm(join(project.dir, 'db', 'migrations'), { recursive: true })
    await addFiles(100)
    expect((await squizzle(['build', '1.0.0', '--irreversible', '--no-snapshot'], { cwd: project.dir })).code).toBe(0)
    expect((await squizzle(['verify', '1.0.0'], { cwd: project.dir })).code).toBe(0)
  }, 240_000)
})
