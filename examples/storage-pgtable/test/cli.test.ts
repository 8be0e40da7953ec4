import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createTestDatabase, query } from '@squizzle/testkit'
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest'
import { squizzle, type RunResult } from './support/cli.js'

// The plugin as a CLI user meets it: installed in the project's node_modules, named in
// squizzle.config.yaml, and a team without a registry releasing signed versions through it.

const packageDir = fileURLToPath(new URL('..', import.meta.url))
const passphrase = 'pgtable release key 1'
let project: string
let databaseUrl: string
let storeUrl: string

const pgtableUrl = () => `${storeUrl.replace(/^postgres(ql)?:/, 'pgtable:')}?schema=releases`
const env = (extra: Record<string, string> = {}) => ({
  DATABASE_URL: databaseUrl,
  SQUIZZLE_PGTABLE_URL: storeUrl,
  SQUIZZLE_SIGNING_KEY_PASSPHRASE: passphrase,
  ...extra,
})
const run = (args: string[], extra: Record<string, string> = {}) => squizzle(args, { cwd: project, env: env(extra) })
const ok = (r: RunResult) => expect(r, r.stderr).toMatchObject({ code: 0 })

async function addMigration(name: string, sql: string, rollback: string): Promise<void> {
  for (const [kind, text] of [
    ['migrations', sql],
    ['rollback', rollback],
  ] as const) {
    await mkdir(join(project, 'db', kind), { recursive: true })
    await writeFile(join(project, 'db', kind, name), text)
  }
}

beforeEach(async () => {
  databaseUrl = await createTestDatabase(inject('postgresUrl'), 'app')
  storeUrl = await createTestDatabase(inject('postgresUrl'), 'releases')
  project = await mkdtemp(join(tmpdir(), 'squizzle-pgtable-'))
  // Installed as npm would: node_modules/@squizzle-examples/storage-pgtable in the project.
  await mkdir(join(project, 'node_modules/@squizzle-examples'), { recursive: true })
  await symlink(packageDir, join(project, 'node_modules/@squizzle-examples/storage-pgtable'), 'dir')
  await writeFile(
    join(project, 'squizzle.config.yaml'),
    [
      'storage:',
      '  use: "@squizzle-examples/storage-pgtable"',
      '  options: { schema: releases }',
      'plugins: ["@squizzle-examples/storage-pgtable"]',
      'signing: { key: keys/release.key }',
      'environments:',
      '  production:',
      '    trust: { signatures: required, publicKeys: [keys/release.pub] }',
      '',
    ].join('\n'),
  )
  ok(await run(['keygen', '--out', 'keys/release']))
})
afterEach(async () => {
  await rm(project, { recursive: true, force: true })
})

describe('the pgtable storage plugin from the CLI', () => {
  it('builds and signs into the table store, verifies, and applies under a required signature policy', async () => {
    await addMigration('001_users.sql', 'CREATE TABLE users (id int PRIMARY KEY);\n', 'DROP TABLE users;\n')
    const built = await run(['build', '1.0.0', '--sign', '--json'])
    ok(built)
    expect(JSON.parse(built.stdout)).toMatchObject({
      version: '1.0.0',
      signed: true,
      storage: expect.stringMatching(/^pgtable:\/\/.*\?schema=releases$/),
    })
    // The bundle, its manifest, the signature, SBOM and provenance all live in the table store.
    expect(await query(storeUrl, "SELECT tag FROM releases.tags WHERE tag NOT LIKE 'sha256-%'")).toEqual([
      { tag: '1.0.0' },
    ])
    const [blobs] = await query<{ n: number }>(storeUrl, 'SELECT count(*)::int AS n FROM releases.blobs')
    expect(blobs?.n).toBeGreaterThanOrEqual(8)
    ok(await run(['verify', '1.0.0', '--env', 'production'], { DATABASE_URL: '' }))
    ok(await run(['apply', '--env', 'production']))
    expect(await query(databaseUrl, "SELECT to_regclass('public.users')::text AS t")).toEqual([{ t: 'users' }])
    const status = await run(['status', '--json'])
    expect(JSON.parse(status.stdout)).toMatchObject({ current: '1.0.0', pending: [], tampered: [] })
  })

  it('pulls, pushes and applies through the pgtable:// scheme it registers', async () => {
    await addMigration('001_users.sql', 'CREATE TABLE users (id int PRIMARY KEY);\n', 'DROP TABLE users;\n')
    ok(await run(['build', '1.0.0', '--sign']))
    // A developer works in a local layout, then ships to the table store by URL.
    const local = { SQUIZZLE_STORAGE: 'file:.squizzle/artifacts' }
    ok(await run(['pull', '1.0.0', '--storage', pgtableUrl()], local))
    await addMigration(
      '002_orders.sql',
      'CREATE TABLE orders (id int, user_id int REFERENCES users);\n',
      'DROP TABLE orders;\n',
    )
    ok(await run(['build', '1.1.0', '--sign'], local))
    const pushed = await run(['push', '1.1.0', '--storage', pgtableUrl(), '--json'], local)
    ok(pushed)
    expect(JSON.parse(pushed.stdout)).toMatchObject({ to: expect.stringMatching(/^pgtable:\/\//) })
    ok(await run(['apply', '--env', 'production', '--storage', pgtableUrl()]))
    expect(await query(databaseUrl, 'SELECT version FROM squizzle.history ORDER BY id')).toEqual([
      { version: '1.0.0' },
      { version: '1.1.0' },
    ])
    const listed = await run(['list', '--json'])
    expect((JSON.parse(listed.stdout) as { versions: { version: string }[] }).versions.map((v) => v.version)).toEqual([
      '1.0.0',
      '1.1.0',
    ])
  })

  it("is listed by --version --verbose, and never prints the store's password", async () => {
    const r = await run(['--version', '--verbose'])
    ok(r)
    expect(r.stdout).toMatch(
      /storage\s+@squizzle-examples\/storage-pgtable 0\.1\.0 \(storage plugin, API 1, schemes pgtable:\)/,
    )
    expect(r.stdout).toContain(`from ${join(project, 'node_modules/@squizzle-examples/storage-pgtable/dist/index.js')}`)
    const password = new URL(storeUrl).password
    expect(password).not.toBe('')
    const failing = await run(['list', '--storage', pgtableUrl().replace(/@[^/]+\//, '@127.0.0.1:1/')])
    expect(failing.code).toBe(1)
    expect(failing.stderr).toContain('STORAGE_ERROR')
    for (const out of [r, failing]) expect(out.stdout + out.stderr).not.toContain(password)
  })
})
