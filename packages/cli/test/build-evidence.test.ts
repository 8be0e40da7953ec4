import { readFile, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { squizzle } from './support/cli-process.js'
import { createProject, type TestProject } from './support/project.js'

let project: TestProject
const run = (...args: string[]) => squizzle(args, { cwd: project.dir })
const json = <T>(stdout: string): T => JSON.parse(stdout) as T

beforeEach(async () => {
  project = await createProject()
  await project.add('migrations', '001_users.sql', 'CREATE TABLE users (id int);\n')
  await project.add('rollback', '001_users.sql', 'DROP TABLE users;\n')
})
afterEach(async () => {
  await project.remove()
})

describe('build and its release evidence', () => {
  it('leaves no version, no tag and no ledger entry when the evidence cannot be made (a broken lockfile)', async () => {
    const lockfile = join(project.dir, 'pnpm-lock.yaml')
    await writeFile(lockfile, 'packages: {}\n')
    const failed = await run('build', '1.0.0', '--no-snapshot', '--json')
    expect(failed.code).toBe(2)
    expect(json<{ error: { code: string } }>(failed.stdout).error.code).toBe('USAGE')
    expect(json<{ versions: unknown[] }>((await run('list', '--json')).stdout).versions).toEqual([])
    const index = JSON.parse(
      await readFile(join(project.dir, '.squizzle/artifacts/index.json'), 'utf8').catch(() => '{}'),
    )
    expect(index.manifests ?? []).toEqual([])
    expect(
      await stat(join(project.dir, 'db/squizzle.sum')).then(
        () => 'written',
        () => 'absent',
      ),
    ).toBe('absent')
    // Fixed, the same build goes through, with its SBOM and provenance.
    await rm(lockfile)
    const built = await run('build', '1.0.0', '--no-snapshot', '--json')
    expect(built.code).toBe(0)
    expect(
      json<{ versions: { version: string }[] }>((await run('list', '--json')).stdout).versions.map((v) => v.version),
    ).toEqual(['1.0.0'])
  })
})
