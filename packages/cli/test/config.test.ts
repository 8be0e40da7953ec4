import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { squizzle } from './support/cli-process.js'

// Inside the repository, so a .ts config finds the workspace's `typescript` as a project would.
const scratch = fileURLToPath(new URL('../.tmp/', import.meta.url))
let dir: string

beforeEach(async () => {
  await mkdir(scratch, { recursive: true })
  dir = await mkdtemp(join(scratch, 'config-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

// The storage the CLI resolved: none of these exist, so `list` names it in its STORAGE_NOT_FOUND error.
const storageOf = async (cwd: string, env: Record<string, string> = {}, args: string[] = []) => {
  const r = await squizzle(['list', '--json', ...args], { cwd, env })
  const { error } = JSON.parse(r.stdout) as { error: { code: string; details: { storage: string } } }
  expect([r.code, error.code], r.stdout + r.stderr).toEqual([2, 'STORAGE_NOT_FOUND'])
  return `oci-layout:${error.details.storage}`
}

describe('configuration files', () => {
  it.each([
    ['squizzle.config.json', JSON.stringify({ storage: 'file:from-json' })],
    ['squizzle.config.yaml', 'storage: file:from-yaml\n'],
    ['squizzle.config.mjs', "export default { storage: 'file:from-mjs' }\n"],
    ['squizzle.config.ts', "const storage: string = 'file:from-ts'\nexport default { storage }\n"],
  ])('reads %s', async (name, content) => {
    await writeFile(join(dir, name), content)
    expect(await storageOf(dir)).toBe(`oci-layout:${join(dir, `from-${name.split('.').pop()}`)}`)
  })

  const scripts = ['squizzle.config.mjs', 'squizzle.config.ts']
  it.each(scripts)('reads %s as edited when a program runs main() again', async (file) => {
    await writeFile(join(dir, file), "export default { storage: 'file:before' }\n")
    expect(await storageOf(dir)).toBe(`oci-layout:${join(dir, 'before')}`)
    await writeFile(join(dir, file), "export default { storage: 'file:after' }\n")
    expect(await storageOf(dir)).toBe(`oci-layout:${join(dir, 'after')}`)
  })

  it('is found upward from a subfolder, and relative paths resolve against its folder', async () => {
    await writeFile(join(dir, 'squizzle.config.yaml'), 'storage: file:artifacts\n')
    await mkdir(join(dir, 'deep', 'er'), { recursive: true })
    expect(await storageOf(join(dir, 'deep', 'er'))).toBe(`oci-layout:${join(dir, 'artifacts')}`)
  })

  it('lets an environment override the top level, and flags and env vars override both', async () => {
    await writeFile(
      join(dir, 'squizzle.config.yaml'),
      'storage: file:base\nenvironments:\n  prod:\n    storage: file:prod\n',
    )
    expect(await storageOf(dir)).toBe(`oci-layout:${join(dir, 'base')}`)
    expect(await storageOf(dir, {}, ['--env', 'prod'])).toBe(`oci-layout:${join(dir, 'prod')}`)
    expect(await storageOf(dir, { SQUIZZLE_ENV: 'prod' })).toBe(`oci-layout:${join(dir, 'prod')}`)
    expect(await storageOf(dir, { SQUIZZLE_STORAGE: 'file:/srv/x' }, ['--env', 'prod'])).toBe('oci-layout:/srv/x')
    expect(await storageOf(dir, { SQUIZZLE_STORAGE: 'file:/srv/x' }, ['--storage', 'file:/srv/y'])).toBe(
      'oci-layout:/srv/y',
    )
  })

  it('refuses an unknown environment with exit 2, naming the known ones', async () => {
    await writeFile(join(dir, 'squizzle.config.yaml'), 'environments:\n  prod: {}\n  staging: {}\n')
    const r = await squizzle(['list', '--env', 'qa', '--json'], { cwd: dir })
    expect(r.code).toBe(2)
    expect((JSON.parse(r.stdout) as { error: { code: string; hint: string } }).error).toMatchObject({
      code: 'CONFIG_INVALID',
      hint: expect.stringContaining('prod, staging'),
    })
  })

  it('refuses a storage URL it does not understand with exit 2', async () => {
    const r = await squizzle(['list', '--storage', 's3://bucket/x', '--json'], { cwd: dir })
    expect(r.code).toBe(2)
    expect((JSON.parse(r.stdout) as { error: { code: string } }).error.code).toBe('STORAGE_URL_INVALID')
  })

  it('reports a syntax error in a config file with exit 2 and the file name', async () => {
    await writeFile(join(dir, 'squizzle.config.json'), '{ "storage": ')
    const r = await squizzle(['list'], { cwd: dir })
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('squizzle.config.json')
  })
})
