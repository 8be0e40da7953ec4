import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { squizzle } from './support/cli-process.js'
import { createProject, type TestProject } from './support/project.js'

// The full drizzle-kit flow (generate, bundle, apply, compare with drizzle's migrator) is
// tested end to end in examples/with-drizzle; these cover what happens before drizzle-kit runs.
let project: TestProject
const run = (...args: string[]) => squizzle(args, { cwd: project.dir })
const errorCode = (stdout: string) =>
  (JSON.parse(stdout) as { error: { code: string; details?: Record<string, unknown> } }).error

beforeEach(async () => {
  project = await createProject()
  await writeFile(
    join(project.dir, 'drizzle.config.json'),
    JSON.stringify({ dialect: 'postgresql', schema: './schema.ts', out: './drizzle' }),
  )
})
afterEach(async () => {
  await project.remove()
})

describe('build with a drizzle config', () => {
  it('says drizzle-kit must be installed in the project when it is not', async () => {
    const r = await run('build', '1.0.0', '--json')
    expect(r.code).toBe(1)
    expect(errorCode(r.stdout).code).toBe('DRIZZLE_KIT_MISSING')
  })

  it('refuses a drizzle-kit older than the supported minimum, naming both versions', async () => {
    // An installed package that declares an old version: only its package.json is read before refusing.
    await mkdir(join(project.dir, 'node_modules', 'drizzle-kit'), { recursive: true })
    await writeFile(
      join(project.dir, 'node_modules', 'drizzle-kit', 'package.json'),
      JSON.stringify({ name: 'drizzle-kit', version: '0.30.6', bin: { 'drizzle-kit': 'bin.cjs' } }),
    )
    const r = await run('build', '1.0.0', '--json')
    expect(r.code).toBe(1)
    expect(errorCode(r.stdout)).toMatchObject({
      code: 'DRIZZLE_KIT_UNSUPPORTED',
      details: { installed: '0.30.6', minimum: '0.31.0' },
    })
  })
})
