import { join } from 'node:path'
import { copyVersion } from '@squizzle/core'
import { OciLayoutTarget } from '@squizzle/storage-filesystem'
import { createTestDatabase, query } from '@squizzle/testkit'
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest'
import { squizzle } from './support/cli-process.js'
import { createProject, type TestProject } from './support/project.js'

const json = <T = Record<string, unknown>>(stdout: string): T => JSON.parse(stdout) as T

interface ErrorDoc {
  error: {
    code: string
    message: string
    details: { builtOn: { version: string | null }; database: { version: string | null; digest: string } }
  }
}

let released: TestProject
let rebundled: TestProject
let databaseUrl: string
const run = (p: TestProject, ...args: string[]) => squizzle(args, { cwd: p.dir, env: { DATABASE_URL: databaseUrl } })

beforeEach(async () => {
  databaseUrl = await createTestDatabase(inject('postgresUrl'))
  released = await createProject()
  await released.add('migrations', '001_users.sql', 'CREATE TABLE users (id int PRIMARY KEY);')
  expect((await run(released, 'build', '1.0.0', '--irreversible', '--no-snapshot')).code).toBe(0)
  await released.add('migrations', '002_orders.sql', 'CREATE TABLE orders (id int);')
  expect((await run(released, 'build', '1.1.0', '--irreversible', '--no-snapshot')).code).toBe(0)
  expect((await run(released, 'apply')).code).toBe(0)
  // A checkout without the ledger (or from before it): its 1.2.0 is built on nothing.
  rebundled = await createProject()
  await rebundled.add('migrations', '003_items.sql', 'CREATE TABLE items (id int);')
  expect((await run(rebundled, 'build', '1.2.0', '--irreversible', '--no-snapshot')).code).toBe(0)
})
afterEach(async () => {
  await released.remove()
  await rebundled.remove()
})

const items = () => query(databaseUrl, "SELECT to_regclass('public.items')::text AS t")
const history = () => query<{ version: string }>(databaseUrl, 'SELECT version FROM squizzle.history ORDER BY id')
const audit = () =>
  query<{ outcome: string; version: string; details: Record<string, unknown> }>(
    databaseUrl,
    "SELECT outcome, version, details FROM squizzle.audit WHERE operation = 'apply' ORDER BY id",
  )

describe('apply checks the chain of versions', () => {
  it('refuses a version not built on the current one (exit 3), naming both, running nothing, audited as refused', async () => {
    const r = await run(rebundled, 'apply', '--json')
    expect(r.code).toBe(3)
    const { error } = json<ErrorDoc>(r.stdout)
    expect(error.code).toBe('UNCHAINED_VERSION')
    expect(error.message).toContain('1.2.0')
    expect(error.message).toContain('1.1.0')
    const recorded = expect.stringMatching(/^sha256:/)
    expect(error.details).toMatchObject({
      builtOn: { version: null },
      database: { version: '1.1.0', digest: recorded },
    })
    expect(await items()).toEqual([{ t: null }])
    expect(await history()).toEqual([{ version: '1.0.0' }, { version: '1.1.0' }])
    const refused = { outcome: 'refused', version: '1.2.0', details: { code: 'UNCHAINED_VERSION' } }
    expect((await audit()).at(-1)).toMatchObject(refused)

    const human = await run(rebundled, 'apply')
    expect(human.code).toBe(3)
    expect(human.stderr).toMatch(/1\.2\.0 was built on nothing.*database is at 1\.1\.0/)
    expect(human.stderr).toContain('--allow-unchained')
    const dry = await run(rebundled, 'apply', '--dry-run', '--json')
    expect([dry.code, json<ErrorDoc>(dry.stdout).error.code]).toEqual([3, 'UNCHAINED_VERSION'])
  })

  it('says so in status: the storage lacks the current version, and the pending one is unchained', async () => {
    const r = await run(rebundled, 'status', '--json')
    expect(r.code).toBe(0)
    type Chain = { currentNotStored: { version: string } | null; unchained: { version: string }[] }
    const { chain } = json<{ chain: Chain }>(r.stdout)
    expect(chain.currentNotStored).toMatchObject({ version: '1.1.0' })
    expect(chain.unchained).toMatchObject([
      { version: '1.2.0', builtOn: { version: null }, database: { version: '1.1.0' } },
    ])
    const human = await run(rebundled, 'status')
    expect(human.stdout).toMatch(/Missing .* does not hold the database's current version 1\.1\.0/)
    expect(human.stdout).toMatch(/Unchained version 1\.2\.0 was built on nothing/)
    expect((await run(rebundled, 'status', '--check')).code).toBe(3)
    expect((await run(released, 'status', '--check')).code).toBe(0)
  })

  it('runs it with --allow-unchained, and the audit row says the check was overridden', async () => {
    const r = await run(rebundled, 'apply', '--allow-unchained')
    expect(r.code).toBe(0)
    expect(r.stderr).toMatch(/warning .*1\.2\.0 was built on nothing/)
    expect(await items()).toEqual([{ t: 'items' }])
    expect((await audit()).at(-1)).toMatchObject({
      outcome: 'success',
      version: '1.2.0',
      details: {
        overridden: { code: 'UNCHAINED_VERSION', builtOn: { version: null }, database: { version: '1.1.0' } },
      },
    })
  })

  it('applies a version built on the current one, from the same ledger', async () => {
    await released.add('migrations', '003_items.sql', 'CREATE TABLE items (id int);')
    expect((await run(released, 'build', '1.2.0', '--irreversible', '--no-snapshot')).code).toBe(0)
    const r = await run(released, 'apply', '--json')
    expect(r.code).toBe(0)
    expect((await audit()).at(-1)).toMatchObject({ outcome: 'success', version: '1.2.0' })
    expect((await audit()).at(-1)?.details).not.toHaveProperty('overridden')
  })

  it('refuses a version whose predecessor was never applied here (a gap), naming it', async () => {
    await released.add('migrations', '003_items.sql', 'CREATE TABLE items (id int);')
    expect((await run(released, 'build', '1.2.0', '--irreversible', '--no-snapshot')).code).toBe(0)
    await released.add('migrations', '004_more.sql', 'CREATE TABLE more (id int);')
    expect((await run(released, 'build', '1.3.0', '--irreversible', '--no-snapshot')).code).toBe(0)
    // Applying 1.3.0 from a storage that lacks 1.2.0: only the released checkout's own storage has it.
    const only = await createProject()
    try {
      const layout = (p: TestProject) => new OciLayoutTarget(join(p.dir, '.squizzle/artifacts'))
      await copyVersion(layout(released), layout(only), '1.3.0')
      const r = await run(only, 'apply', '--json')
      expect(r.code).toBe(3)
      const details = { builtOn: { version: '1.2.0' }, database: { version: '1.1.0' } }
      expect(json<ErrorDoc>(r.stdout).error).toMatchObject({ code: 'UNCHAINED_VERSION', details })
      expect(await items()).toEqual([{ t: null }])
    } finally {
      await only.remove()
    }
  })
})
