import { access, mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createTestDatabase, query } from '@squizzle/testkit'
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest'
import { squizzle } from './support/cli-process.js'
import { createProject, type TestProject } from './support/project.js'

let project: TestProject
let url: string

beforeEach(async () => {
  url = await createTestDatabase(inject('postgresUrl'))
  project = await createProject()
  await project.add('migrations', '001_users.sql', 'CREATE TABLE users (id int);')
})
afterEach(() => project.remove())

const run = (args: string[], env: Record<string, string> = {}) =>
  squizzle([...args, '--json'], { cwd: project.dir, env: { DATABASE_URL: url, ...env } })
const codeOf = async (args: string[], env: Record<string, string> = {}) => {
  const r = await run(args, env)
  return [r.code, (JSON.parse(r.stdout) as { error?: { code: string } }).error?.code]
}

describe('CLI and config input is validated at the boundary (exit 2)', () => {
  it('refuses versions that are not semantic versions', async () => {
    for (const version of ['v1.0.0', '1.0', '1.0.0; rm -rf /', "1.0.0'); DROP TABLE users; --", '../../etc/passwd']) {
      expect(await codeOf(['build', version])).toEqual([2, 'VERSION_INVALID'])
    }
    expect((await codeOf(['verify', '../1.0.0']))[0]).toBe(2)
  })

  it('refuses storage URLs, durations and environments it does not understand', async () => {
    expect(await codeOf(['list'], { SQUIZZLE_STORAGE: 'http://example.com/x' })).toEqual([2, 'STORAGE_URL_INVALID'])
    expect(await codeOf(['list', '--storage', 'file:'])).toEqual([2, 'STORAGE_URL_INVALID'])
    expect(await codeOf(['apply'], { SQUIZZLE_LOCK_TIMEOUT: '10; touch pwned' })).toEqual([2, 'USAGE'])
    expect(await codeOf(['status'], { SQUIZZLE_ENV: 'nope' })).toEqual([2, 'CONFIG_INVALID'])
  })

  it('refuses trust and signing settings that could not work or would leak', async () => {
    const bad = [
      'trust:\n  signatures: maybe\n',
      'trust:\n  publicKeys: [a.pub]\n',
      'trust:\n  signatures: required\n  identities: [{ issuer: https://issuer.example, subject: "(" }]\n',
      'signing:\n  fulcioUrl: https://user:secret@fulcio.example\n',
      'signing:\n  rekorUrl: ftp://rekor.example\n',
      'signing:\n  method: magic\n',
    ]
    for (const config of bad) {
      const p = await createProject(`storage: file:.squizzle/artifacts\n${config}`)
      try {
        const r = await squizzle(['verify', '1.0.0', '--json'], { cwd: p.dir })
        expect([r.code, (JSON.parse(r.stdout) as { error: { code: string } }).error.code], config).toEqual([
          2,
          'CONFIG_INVALID',
        ])
      } finally {
        await p.remove()
      }
    }
  })
})

describe('mistakes in arguments are usage errors (exit 2), found before anything runs', () => {
  it('refuses version arguments that are not versions, and arguments a command does not take', async () => {
    expect((await run(['build', '1.0.0', '--irreversible', '--no-snapshot'])).code).toBe(0)
    expect(await codeOf(['apply', '1.x'])).toEqual([2, 'VERSION_INVALID'])
    expect(await codeOf(['apply', '--dry-run', '1.x'])).toEqual([2, 'VERSION_INVALID'])
    expect(await codeOf(['rollback', '--to', '1.x'])).toEqual([2, 'VERSION_INVALID'])
    expect(await codeOf(['repair', '1.x'])).toEqual([2, 'VERSION_INVALID'])
    expect(await codeOf(['diff', '1.0.0', 'latest'])).toEqual([2, 'VERSION_INVALID'])
    for (const args of [
      ['status', '1.0.0'],
      ['list', 'all'],
      ['drift', 'now'],
      ['apply', '1.0.0', '1.1.0'],
      ['init', 'here'],
    ]) {
      expect(await codeOf(args), args.join(' ')).toEqual([2, 'USAGE'])
    }
    expect(await query(url, "SELECT to_regclass('squizzle.history')::text AS t")).toEqual([{ t: null }])
  })

  it('refuses registry ports out of range, connection URLs that do not parse, and durations no timer can wait', async () => {
    for (const port of ['99999', '0', '65536']) {
      expect(await codeOf(['list', '--storage', `oci://127.0.0.1:${port}/x`]), port).toEqual([2, 'STORAGE_URL_INVALID'])
      expect(await codeOf(['apply', '--storage', `oci://127.0.0.1:${port}/x`]), port).toEqual([
        2,
        'STORAGE_URL_INVALID',
      ])
    }
    expect(await codeOf(['status'], { DATABASE_URL: 'postgres://app:s3cret@127.0.0.1:99999/app' })).toEqual([
      2,
      'USAGE',
    ])
    expect(await codeOf(['status'], { DATABASE_URL: 'postgres://127.0.0.1/app?search_path=x' })).toEqual([2, 'USAGE'])
    expect(await codeOf(['apply', '--lock-timeout', '99999999999999999999'])).toEqual([2, 'USAGE'])
    expect(await codeOf(['apply'], { SQUIZZLE_LOCK_TIMEOUT: '30d' })).toEqual([2, 'USAGE'])
  })
})

describe('one config file per folder', () => {
  it('refuses a stray config file next to the trusted one (exit 2, naming both), applying nothing', async () => {
    // The trusted config requires signatures; the stray one points at an unsigned layout.
    await writeFile(
      join(project.dir, 'squizzle.config.yaml'),
      'storage: file:.squizzle/artifacts\ntrust:\n  signatures: required\n  publicKeys: [release.pub]\n',
    )
    await writeFile(join(project.dir, 'squizzle.config.json'), JSON.stringify({ storage: 'file:unsigned' }))
    const built = await squizzle(
      ['build', '1.0.0', '--irreversible', '--no-snapshot', '--config', 'squizzle.config.json'],
      { cwd: project.dir },
    )
    expect(built.code).toBe(0)
    for (const command of [['apply'], ['status'], ['list']]) {
      const r = await run(command)
      const error = (JSON.parse(r.stdout) as { error: { code: string; message: string } }).error
      expect([r.code, error.code], command[0]).toEqual([2, 'CONFIG_INVALID'])
      expect(error.message).toContain('squizzle.config.json')
      expect(error.message).toContain('squizzle.config.yaml')
    }
    await mkdir(join(project.dir, 'sub'))
    const below = await squizzle(['apply', '--json'], { cwd: join(project.dir, 'sub'), env: { DATABASE_URL: url } })
    expect(below.code).toBe(2)
    expect(await query(url, "SELECT to_regclass('public.users')::text AS t")).toEqual([{ t: null }])
  })
})

describe('nothing from input is spliced into SQL or a shell', () => {
  it('refuses file names outside the allowed characters, and stores hostile notes and author verbatim, running nothing', async () => {
    await project.add('migrations', "002_it's; $(touch pwned3).sql", 'CREATE TABLE quoted (id int);')
    expect(await codeOf(['build', '1.0.0', '--irreversible'])).toEqual([2, 'USAGE'])
    await project.remove()
    project = await createProject()
    await project.add('migrations', '001_users.sql', 'CREATE TABLE users (id int);')
    const notes = "x'); DROP TABLE squizzle.audit; --"
    const author = '$(touch pwned) `touch pwned2`'
    expect((await run(['build', '1.0.0', '--irreversible', '--notes', notes, '--author', author])).code).toBe(0)
    expect((await run(['apply'])).code).toBe(0)
    const [row] = await query(
      url,
      "SELECT manifest->>'notes' AS notes, manifest->>'author' AS author FROM squizzle.history",
    )
    expect(row).toEqual({ notes, author })
    expect(await query(url, "SELECT to_regclass('squizzle.audit')::text AS t")).toEqual([{ t: 'squizzle.audit' }])
    for (const f of ['pwned', 'pwned2', 'pwned3']) await expect(access(join(project.dir, f))).rejects.toThrow()
  })
})
