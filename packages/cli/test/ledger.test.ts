import { execFile } from 'node:child_process'
import { cp, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { createTestDatabase, query } from '@squizzle/testkit'
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest'
import { squizzle } from './support/cli-process.js'
import { createProject, type TestProject } from './support/project.js'

const git = promisify(execFile)
const json = <T = Record<string, unknown>>(stdout: string): T => JSON.parse(stdout) as T

interface BuildDoc {
  version: string
  digest: string
  previousVersion: string | null
  previousDigest: string | null
  files: { path: string }[]
  events: { type: string; versions?: string[] }[]
}

let projects: TestProject[]
let databaseUrl: string
const inProject =
  (project: TestProject, env: Record<string, string> = {}) =>
  (...args: string[]) =>
    squizzle(args, { cwd: project.dir, env: { DATABASE_URL: databaseUrl, ...env } })

async function project(): Promise<TestProject> {
  const p = await createProject()
  projects.push(p)
  return p
}

/** What a teammate's checkout has: the committed files (config and db/), not the local .squizzle/. */
async function cloneCommitted(from: TestProject): Promise<TestProject> {
  const to = await project()
  await cp(join(from.dir, 'squizzle.config.yaml'), join(to.dir, 'squizzle.config.yaml'))
  await cp(join(from.dir, 'db'), join(to.dir, 'db'), { recursive: true })
  return to
}

/**
 * Releases 1.0.0 (users) and 1.1.0 (orders) in `p`, each with rollback SQL. Without a schema snapshot unless
 * `snapshot` (each is a replay on a fresh database): the ledger holds files and digests, not snapshots.
 */
async function releaseTwo(p: TestProject, { snapshot = false } = {}): Promise<string[]> {
  const run = inProject(p)
  const flags = snapshot ? ['--json'] : ['--json', '--no-snapshot']
  await p.add('migrations', '001_users.sql', 'CREATE TABLE users (id int PRIMARY KEY);')
  await p.add('rollback', '001_users.sql', 'DROP TABLE users;')
  const first = await run('build', '1.0.0', ...flags)
  expect(first.code).toBe(0)
  await p.add('migrations', '002_orders.sql', 'CREATE TABLE orders (id int, user_id int REFERENCES users (id));')
  await p.add('rollback', '002_orders.sql', 'DROP TABLE orders;')
  const second = await run('build', '1.1.0', ...flags)
  expect(second.code).toBe(0)
  return [json<BuildDoc>(first.stdout).digest, json<BuildDoc>(second.stdout).digest]
}

beforeEach(async () => {
  projects = []
  databaseUrl = await createTestDatabase(inject('postgresUrl'))
})
afterEach(async () => {
  await Promise.all(projects.map((p) => p.remove()))
})

describe('the release ledger (db/squizzle.sum)', () => {
  it('lets a fresh clone build only its new files, chained to the ledger, and apply them to the shared database', async () => {
    const a = await project()
    const [, digest110] = await releaseTwo(a, { snapshot: true })
    expect((await inProject(a)('apply')).code).toBe(0)

    const b = await cloneCommitted(a)
    await b.add('migrations', '003_items.sql', 'CREATE TABLE items (id int, order_id int);')
    await b.add('rollback', '003_items.sql', 'DROP TABLE items;')
    const built = await inProject(b)('build', '1.2.0', '--json')
    expect(built.stderr).toBe('')
    expect(built.code).toBe(0)
    const doc = json<BuildDoc>(built.stdout)
    expect(doc.files.map((f) => f.path)).toEqual(['migrations/003_items.sql', 'rollback/003_items.sql'])
    expect([doc.previousVersion, doc.previousDigest]).toEqual(['1.1.0', digest110])
    // The snapshot replay had only the repository for 1.0.0 and 1.1.0, and says so.
    expect(doc.events.find((e) => e.type === 'replay.source')?.versions).toEqual(['1.0.0', '1.1.0'])
    expect(await readFile(join(b.dir, 'db', 'squizzle.sum'), 'utf8')).toMatch(
      /^version 1\.2\.0 sha256:[0-9a-f]{64} previous 1\.1\.0$/m,
    )

    const applied = await inProject(b)('apply', '--json')
    expect(applied.code).toBe(0)
    expect(json(applied.stdout)).toMatchObject({ applied: ['1.2.0'], current: '1.2.0' })
    expect(await query(databaseUrl, "SELECT to_regclass('public.items')::text AS t")).toEqual([{ t: 'items' }])
    expect((await inProject(b)('drift', '--check')).code).toBe(0)
  })

  it('refuses to replay from a released file that was changed in the fresh clone', async () => {
    const a = await project()
    await releaseTwo(a)
    const b = await cloneCommitted(a)
    await b.add('migrations', '001_users.sql', 'CREATE TABLE users (id bigint PRIMARY KEY);')
    await b.add('migrations', '003_items.sql', 'CREATE TABLE items (id int);')
    const r = await inProject(b)('build', '1.2.0', '--irreversible', '--json')
    expect(r.code).toBe(1)
    expect(json<{ error: { code: string } }>(r.stdout).error.code).toBe('RELEASED_FILE_MODIFIED')
  })

  it('refuses a project released before the ledger with LEDGER_MISSING, and `ledger rebuild` restores it', async () => {
    const a = await project()
    await releaseTwo(a)
    const sum = join(a.dir, 'db', 'squizzle.sum')
    const original = await readFile(sum, 'utf8')
    await rm(sum)
    await a.add('migrations', '003_items.sql', 'CREATE TABLE items (id int);')
    const missing = await inProject(a)('build', '1.2.0', '--irreversible', '--json')
    expect(missing.code).toBe(1)
    const error = json<{ error: { code: string; hint: string } }>(missing.stdout).error
    expect(error).toMatchObject({ code: 'LEDGER_MISSING', hint: expect.stringContaining('squizzle ledger rebuild') })

    const rebuilt = await inProject(a)('ledger', 'rebuild', '--from', 'file:.squizzle/artifacts', '--json')
    expect(rebuilt.code).toBe(0)
    expect(json<{ versions: { version: string }[] }>(rebuilt.stdout).versions.map((v) => v.version)).toEqual([
      '1.0.0',
      '1.1.0',
    ])
    expect(await readFile(sum, 'utf8')).toBe(original)
    expect((await inProject(a)('ledger', 'verify')).code).toBe(0)
    expect((await inProject(a)('build', '1.2.0', '--irreversible', '--no-snapshot')).code).toBe(0)
  })

  it('detects a hand-edited ledger line (LEDGER_INVALID, exit 3) and `ledger rebuild --from` repairs it', async () => {
    const a = await project()
    await releaseTwo(a)
    const sum = join(a.dir, 'db', 'squizzle.sum')
    const original = await readFile(sum, 'utf8')
    // Someone "fixes" a released file's hash by hand after editing the file.
    const lines = original.split('\n')
    const fileLine = lines.findIndex((l) => l.endsWith(' migrations/002_orders.sql'))
    lines[fileLine] = `  ${'0'.repeat(64)} migrations/002_orders.sql`
    await writeFile(sum, lines.join('\n'))
    await a.add('migrations', '003_items.sql', 'CREATE TABLE items (id int);')

    const build = await inProject(a)('build', '1.2.0', '--irreversible')
    expect(build.code).toBe(3)
    expect(build.stderr).toContain('LEDGER_INVALID')
    expect(build.stderr).toContain('version 1.1.0')
    expect(build.stderr).toContain('squizzle ledger rebuild --from')
    expect((await inProject(a)('ledger', 'verify')).code).toBe(3)

    expect((await inProject(a)('ledger', 'rebuild', '--from', `file:${join(a.dir, '.squizzle/artifacts')}`)).code).toBe(
      0,
    )
    expect(await readFile(sum, 'utf8')).toBe(original)
    expect((await inProject(a)('build', '1.2.0', '--irreversible', '--no-snapshot')).code).toBe(0)
  })

  it('`ledger verify` exits 3 for a changed or missing released file and for a disagreeing storage, else 0', async () => {
    const a = await project()
    await releaseTwo(a)
    const verify = async () => {
      const r = await inProject(a)('ledger', 'verify', '--json')
      return { code: r.code, problems: json<{ problems: { kind: string; version: string }[] }>(r.stdout).problems }
    }
    expect(await verify()).toEqual({ code: 0, problems: [] })
    await a.add('migrations', '002_orders.sql', 'CREATE TABLE orders (id bigint);')
    expect(await verify()).toMatchObject({ code: 3, problems: [{ kind: 'file-modified', version: '1.1.0' }] })
    await rm(join(a.dir, 'db', 'migrations', '002_orders.sql'))
    expect(await verify()).toMatchObject({ code: 3, problems: [{ kind: 'file-missing', version: '1.1.0' }] })

    // A storage holding another artifact of 1.1.0 and a version the ledger does not list.
    const other = await project()
    const run = inProject(other)
    await other.add('migrations', '001_x.sql', 'CREATE TABLE x (id int);')
    await run('build', '1.0.0', '--irreversible', '--no-snapshot')
    await other.add('migrations', '002_y.sql', 'CREATE TABLE y (id int);')
    await run('build', '1.1.0', '--irreversible', '--no-snapshot')
    await other.add('migrations', '003_z.sql', 'CREATE TABLE z (id int);')
    await run('build', '1.5.0', '--irreversible', '--no-snapshot')
    await a.add('migrations', '002_orders.sql', 'CREATE TABLE orders (id int, user_id int REFERENCES users (id));')
    const r = await inProject(a)(
      'ledger',
      'verify',
      '--from',
      `file:${join(other.dir, '.squizzle/artifacts')}`,
      '--json',
    )
    expect(r.code).toBe(3)
    const { problems } = json<{ problems: { kind: string; version: string }[] }>(r.stdout)
    expect(problems.map((p) => [p.kind, p.version])).toEqual([
      ['digest-mismatch', '1.0.0'],
      ['digest-mismatch', '1.1.0'],
      ['not-in-ledger', '1.5.0'],
    ])
  })

  it('refuses to build against a storage that holds a version the ledger does not list (LEDGER_INCOMPLETE)', async () => {
    const a = await project()
    await releaseTwo(a)
    const stale = await cloneCommitted(a)
    await a.add('migrations', '003_items.sql', 'CREATE TABLE items (id int);')
    expect((await inProject(a)('build', '1.2.0', '--irreversible', '--no-snapshot')).code).toBe(0)
    // A checkout whose ledger is behind builds against the shared storage.
    await stale.add('migrations', '003_other.sql', 'CREATE TABLE other (id int);')
    const shared = `file:${join(a.dir, '.squizzle/artifacts')}`
    const r = await squizzle(['build', '1.3.0', '--irreversible', '--no-snapshot', '--storage', shared, '--json'], {
      cwd: stale.dir,
    })
    expect(r.code).toBe(1)
    const { error } = json<{ error: { code: string; details: { version: string } } }>(r.stdout)
    expect(error).toMatchObject({ code: 'LEDGER_INCOMPLETE', details: { version: '1.2.0' } })
  })
})

describe('two branches that each release a version', () => {
  it('conflict in git on the ledger; build then fails with LEDGER_CONFLICT and says how to resolve it', async () => {
    const repo = await project()
    const who = {
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@example.com',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@example.com',
    }
    const sh = (...args: string[]) => git('git', args, { cwd: repo.dir, env: { ...process.env, ...who } })
    await writeFile(join(repo.dir, '.gitignore'), '.squizzle/\n')
    await sh('init', '-q', '-b', 'main')
    await repo.add('migrations', '001_users.sql', 'CREATE TABLE users (id int);')
    // Each branch builds into its own local storage, as on two laptops.
    const storage = (name: string) => ({ SQUIZZLE_STORAGE: `file:${join(repo.dir, '.squizzle', name)}` })
    expect((await inProject(repo, storage('main'))('build', '1.0.0', '--irreversible', '--no-snapshot')).code).toBe(0)
    await sh('add', '-A')
    await sh('commit', '-qm', 'release 1.0.0')

    await sh('checkout', '-qb', 'feature')
    await repo.add('migrations', '002_feature.sql', 'CREATE TABLE feature (id int);')
    expect((await inProject(repo, storage('feature'))('build', '1.1.0', '--irreversible', '--no-snapshot')).code).toBe(
      0,
    )
    await sh('add', '-A')
    await sh('commit', '-qm', 'release 1.1.0 on feature')

    await sh('checkout', '-q', 'main')
    await repo.add('migrations', '002_hotfix.sql', 'CREATE TABLE hotfix (id int);')
    expect((await inProject(repo, storage('main'))('build', '1.1.0', '--irreversible', '--no-snapshot')).code).toBe(0)
    await sh('add', '-A')
    await sh('commit', '-qm', 'release 1.1.0 on main')

    const merge = await sh('merge', 'feature').catch((err: { code: number; stdout: string }) => err)
    expect((merge as { code?: number }).code).toBe(1)
    expect((merge as { stdout: string }).stdout).toContain('CONFLICT (content): Merge conflict in db/squizzle.sum')
    const conflicted = await readFile(join(repo.dir, 'db', 'squizzle.sum'), 'utf8')
    expect(conflicted.split('\n')[0]).toMatch(/^<{7}/)

    await repo.add('migrations', '003_next.sql', 'CREATE TABLE next (id int);')
    const r = await inProject(repo, storage('main'))('build', '1.2.0', '--irreversible', '--no-snapshot', '--json')
    expect(r.code).toBe(1)
    const error = json<{ error: { code: string; hint: string; details: { line: number } } }>(r.stdout).error
    expect(error).toMatchObject({ code: 'LEDGER_CONFLICT', details: { line: 1 } })
    expect(error.hint).toContain('git checkout --theirs')
    expect(error.hint).toMatch(/new version above/)
    expect((await inProject(repo, storage('main'))('ledger', 'verify')).code).not.toBe(0)

    // Resolved as the hint says: keep main's ledger, release the feature's file as a new version above it.
    await sh('checkout', '--ours', 'db/squizzle.sum')
    const resolved = await inProject(repo, storage('main'))(
      'build',
      '1.2.0',
      '--irreversible',
      '--no-snapshot',
      '--json',
    )
    expect(resolved.code).toBe(0)
    const files = json<BuildDoc>(resolved.stdout).files.map((f) => f.path)
    expect(files).toEqual(['migrations/002_feature.sql', 'migrations/003_next.sql'])
  })
})
