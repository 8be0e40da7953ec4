import { readFile } from 'node:fs/promises'
import { configSchema } from '@squizzle/core/config'
import { createTestDatabase } from '@squizzle/testkit'
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest'
import { squizzle } from './support/cli-process.js'
import { createProject, type TestProject } from './support/project.js'

let project: TestProject
beforeEach(async () => {
  project = await createProject()
})
afterEach(async () => {
  await project.remove()
})

describe('the squizzle command', () => {
  it('prints its version', async () => {
    const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
    // The built binary itself, started as users start it.
    const r = await squizzle(['--version'], { cwd: project.dir, process: true })
    expect(r.stdout.trim()).toBe(pkg.version)
  })

  it.each([
    'init',
    'build',
    'apply',
    'rollback',
    'status',
    'drift',
    'diff',
    'list',
    'verify',
    'baseline',
    'repair',
    'ledger',
  ])('shows real examples in `%s --help`', async (command) => {
    const r = await squizzle([command, '--help'], { cwd: project.dir })
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(new RegExp(`Examples:\\n  squizzle ${command}|Examples:\\n  .*squizzle ${command}`))
  })

  it('exits 2 on an unknown command, an unknown flag, or a missing database', async () => {
    expect((await squizzle(['frobnicate'], { cwd: project.dir })).code).toBe(2)
    expect((await squizzle(['apply', '--frobnicate'], { cwd: project.dir })).code).toBe(2)
    const noDb = await squizzle(['status', '--json'], { cwd: project.dir })
    expect(noDb.code).toBe(2)
    expect((JSON.parse(noDb.stdout) as { error: { code: string } }).error.code).toBe('USAGE')
  })

  it('exits 2 with the key and file named when the config is invalid', async () => {
    const bad = await createProject('storage: file:x\ntransactionScope: sometimes\n')
    try {
      const r = await squizzle(['list'], { cwd: bad.dir })
      expect(r.code).toBe(2)
      expect(r.stderr).toContain('squizzle.config.yaml')
      expect(r.stderr).toContain('/transactionScope')
    } finally {
      await bad.remove()
    }
  })

  it('keeps --json output to exactly one JSON document on stdout', async () => {
    await project.add('migrations', '001_a.sql', 'CREATE TABLE a (id int);')
    const r = await squizzle(['build', '1.0.0', '--irreversible', '--json'], { cwd: project.dir })
    expect(r.stderr).toBe('')
    expect(() => JSON.parse(r.stdout)).not.toThrow()
  })

  it('never prints the database password, in text or JSON, even on failure', async () => {
    const url = new URL(await createTestDatabase(inject('postgresUrl')))
    const password = url.password
    await project.add('migrations', '001_a.sql', 'SELECT * FROM missing;')
    await squizzle(['build', '1.0.0', '--irreversible', '--no-snapshot'], { cwd: project.dir }) // fails on purpose at apply
    for (const args of [['apply'], ['apply', '--json'], ['status', '--json', '--verbose'], ['apply', '--verbose']]) {
      const r = await squizzle(args, { cwd: project.dir, env: { DATABASE_URL: url.toString() } })
      expect(r.stdout + r.stderr).not.toContain(password)
    }
    url.password = 'N0t-The-Right-0ne'
    const wrong = await squizzle(['status', '--verbose'], { cwd: project.dir, env: { DATABASE_URL: url.toString() } })
    expect(wrong.code).toBe(1)
    expect(wrong.stdout + wrong.stderr).not.toContain('N0t-The-Right-0ne')
  })

  it('init writes the config and folders, and creates the system schema when a database is set', async () => {
    const empty = await createProject()
    try {
      await import('node:fs/promises').then((fs) => fs.rm(`${empty.dir}/squizzle.config.yaml`))
      const url = await createTestDatabase(inject('postgresUrl'))
      const r = await squizzle(['init', '--json'], { cwd: empty.dir, env: { DATABASE_URL: url } })
      expect(r.code).toBe(0)
      const created = ['squizzle.config.yaml', 'db/migrations/', 'db/rollback/', 'db/seed/', '.squizzle/artifacts/']
      expect(JSON.parse(r.stdout)).toEqual({ created, systemSchema: true, gitignore: 'created' })
      const status = await squizzle(['status', '--json'], { cwd: empty.dir, env: { DATABASE_URL: url } })
      expect(JSON.parse(status.stdout)).toMatchObject({
        current: null,
        applied: [],
        pending: [],
        failed: [],
        lock: null,
      })
      // The ledger is named in the config it wrote, and in what it says to commit.
      expect(await readFile(`${empty.dir}/squizzle.config.yaml`, 'utf8')).toContain('ledger: db/squizzle.sum')
      expect((await squizzle(['init'], { cwd: empty.dir })).stdout).toMatch(/Commit .*db\/ \(with db\/squizzle\.sum/)
    } finally {
      await empty.remove()
    }
  })

  it('publishes a config JSON Schema identical to the one it validates with', async () => {
    const published = JSON.parse(await readFile(new URL('../config.schema.json', import.meta.url), 'utf8')) as unknown
    expect(published).toEqual(JSON.parse(JSON.stringify(configSchema)))
  })

  it('lists stored versions in semver order', async () => {
    await project.add('migrations', '001_a.sql', 'CREATE TABLE a (id int);')
    await squizzle(['build', '1.2.0', '--irreversible'], { cwd: project.dir })
    await project.add('migrations', '002_b.sql', 'CREATE TABLE b (id int);')
    await squizzle(['build', '1.10.0', '--irreversible'], { cwd: project.dir })
    const r = await squizzle(['list', '--json'], { cwd: project.dir })
    expect((JSON.parse(r.stdout) as { versions: { version: string }[] }).versions.map((v) => v.version)).toEqual([
      '1.2.0',
      '1.10.0',
    ])
  })
})
