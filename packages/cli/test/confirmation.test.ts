import { createTestDatabase, query } from '@squizzle/testkit'
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest'
import { squizzle } from './support/cli-process.js'
import { createProject, type TestProject } from './support/project.js'
import { inTerminal, visibleText } from './support/terminal.js'

let project: TestProject
let url: string
const run = (...args: string[]) => squizzle(args, { cwd: project.dir, env: { DATABASE_URL: url } })
const terminal = (...args: string[]) => inTerminal(args, { cwd: project.dir, env: { DATABASE_URL: url } })
const current = async () => (JSON.parse((await run('status', '--json')).stdout) as { current: string | null }).current

beforeEach(async () => {
  project = await createProject()
  url = await createTestDatabase(inject('postgresUrl'))
  await project.add('migrations', '001_t.sql', 'CREATE TABLE t (id int);')
  await project.add('rollback', '001_t.sql', 'DROP TABLE t;')
  expect((await run('build', '1.0.0')).code).toBe(0)
  await project.add('migrations', '002_u.sql', 'CREATE TABLE u (id int);')
  await project.add('rollback', '002_u.sql', 'DROP TABLE u;')
  expect((await run('build', '1.1.0')).code).toBe(0)
  expect((await run('apply')).code).toBe(0)
})
afterEach(() => project.remove())

describe('rollback asks on a terminal', () => {
  it('shows what it will undo and rolls back when answered y', async () => {
    const t = terminal('rollback')
    const shown = visibleText(await t.waitFor('[y/N]'))
    expect(shown).toContain('This rolls back 1.1.0')
    expect(shown).toContain('now at 1.1.0')
    t.type('y\n')
    const { code, output } = await t.done
    expect(code, output).toBe(0)
    expect(await current()).toBe('1.0.0')
  })

  it('changes nothing when answered n (or anything but yes)', async () => {
    const t = terminal('rollback', '--to', '0.0.0')
    await t.waitFor('[y/N]')
    t.type('n\n')
    const { code, output } = await t.done
    expect(code).toBe(1)
    expect(visibleText(output)).toContain('Not confirmed: nothing was changed.')
    expect(await current()).toBe('1.1.0')
    expect(await query(url, "SELECT count(*)::int AS n FROM squizzle.history WHERE operation = 'rollback'")).toEqual([
      { n: 0 },
    ])
  })

  it('does not ask with --yes', async () => {
    const { code, output } = await terminal('rollback', '-y').done
    expect(code, output).toBe(0)
    expect(output).not.toContain('[y/N]')
    expect(await current()).toBe('1.0.0')
  })
})

describe('without a terminal', () => {
  it('refuses a rollback without --yes before anything changes, saying to pass it', async () => {
    const r = await run('rollback')
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('--yes')
    expect(await current()).toBe('1.1.0')
    expect((await run('rollback', '--dry-run')).code).toBe(0)
    expect((await run('rollback', '--yes')).code).toBe(0)
    expect(await current()).toBe('1.0.0')
  })

  it('refuses baseline --force and repair --restart without --yes', async () => {
    expect((await run('baseline', '1.0.0', '--force')).code).toBe(2)
    await query(
      url,
      "INSERT INTO squizzle.history (operation, version, status, actor, host, tool_version, started_at, finished_at, duration_ms, error_code, error_message) VALUES ('apply', '1.2.0', 'failed', 'x', 'h', '0', now(), now(), 0, 'MIGRATION_FAILED', 'boom')",
    )
    expect((await run('repair', '--restart')).code).toBe(2)
    expect((await run('repair', '--restart', '--yes')).code).toBe(0)
  })
})

describe('repair with nothing to repair', () => {
  it('says so and exits 0', async () => {
    const r = await run('repair')
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('Nothing to repair')
    expect(JSON.parse((await run('repair', '--json')).stdout)).toEqual({ mode: 'resume', repaired: [] })
  })
})
