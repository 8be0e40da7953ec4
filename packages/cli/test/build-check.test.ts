import { createTestDatabase } from '@squizzle/testkit'
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest'
import { squizzle } from './support/cli-process.js'
import { createProject, type TestProject } from './support/project.js'

// `build --check`: the snapshot replay also proves apply → rollback → apply on its
// scratch database (the test server, through SQUIZZLE_DEV_URL set by the harness).

let project: TestProject
let env: Record<string, string>
const run = (...args: string[]) => squizzle(args, { cwd: project.dir, env })
const json = <T = Record<string, unknown>>(stdout: string): T => JSON.parse(stdout) as T
const storedVersions = async () =>
  json<{ versions: { version: string }[] }>((await run('list', '--json')).stdout).versions.map((v) => v.version)

beforeEach(async () => {
  project = await createProject()
  env = { DATABASE_URL: await createTestDatabase(inject('postgresUrl')) }
  await project.add(
    'migrations',
    '001_users.sql',
    "CREATE TYPE status AS ENUM ('active', 'closed');\nCREATE TABLE users (id int PRIMARY KEY, status status NOT NULL);",
  )
  await project.add('rollback', '001_users.sql', 'DROP TABLE users;\nDROP TYPE status;')
  expect((await run('build', '1.0.0', '--check')).code).toBe(0)
})
afterEach(async () => {
  await project.remove()
})

describe('build --check', () => {
  it('passes when the rollback undoes every change, and says so', async () => {
    await project.add(
      'migrations',
      '002_orders.sql',
      'CREATE TABLE orders (id int, user_id int REFERENCES users (id));\nCREATE INDEX orders_user_idx ON orders (user_id);',
    )
    await project.add('rollback', '002_orders.sql', 'DROP TABLE orders;')
    const r = await run('build', '1.1.0', '--check')
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout + r.stderr).toContain('rollback checked')
    expect(await storedVersions()).toEqual(['1.0.0', '1.1.0'])
  })

  it('fails when the rollback leaves the schema different, names the difference, and stores nothing', async () => {
    // An enum value cannot be dropped: the rollback below undoes the column but not the value.
    await project.add(
      'migrations',
      '002_suspend.sql',
      "ALTER TYPE status ADD VALUE 'suspended';\nALTER TABLE users ADD COLUMN suspended_at timestamptz;",
    )
    await project.add('rollback', '002_suspend.sql', 'ALTER TABLE users DROP COLUMN suspended_at;')
    const r = await run('build', '1.1.0', '--check', '--json')
    expect(r.code).toBe(1)
    const { error } = json<{ error: { code: string; message: string; hint: string } }>(r.stdout)
    expect(error.code).toBe('ROLLBACK_CHECK_FAILED')
    expect(error.message).toContain('rolling back 1.1.0 does not return the schema to that of version 1.0.0')
    expect(error.message).toMatch(/~ enum \S*status/)
    expect(error.message).not.toContain('users')
    expect(error.hint).toContain('--irreversible')
    expect(await storedVersions()).toEqual(['1.0.0'])
    // Without --check the same version builds: the proof is opt-in.
    expect((await run('build', '1.1.0')).code).toBe(0)
  })

  it('reports an irreversible version as not checked', async () => {
    await project.add('migrations', '002_data.sql', "UPDATE users SET status = 'closed';")
    const r = await run('build', '1.1.0', '--check', '--irreversible')
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout + r.stderr).toContain('rollback not checked: the version is marked irreversible')
  })

  it('is a usage error together with --no-snapshot', async () => {
    await project.add('migrations', '002_more.sql', 'CREATE TABLE more (id int);')
    await project.add('rollback', '002_more.sql', 'DROP TABLE more;')
    const r = await run('build', '1.1.0', '--check', '--no-snapshot', '--json')
    expect(r.code).toBe(2)
    expect(json<{ error: { code: string } }>(r.stdout).error.code).toBe('USAGE')
    expect(await storedVersions()).toEqual(['1.0.0'])
  })
})
