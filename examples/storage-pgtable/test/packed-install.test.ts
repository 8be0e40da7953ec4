import { mkdir, mkdtemp, readFile, realpath, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { createTestDatabase, query } from '@squizzle/testkit'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { runProgram, type RunResult } from './support/cli.js'
import { pack, packedDirs, plainNpmEnv } from './support/packed.js'

// "Show it": the plugin works from the CLI in a fresh project outside the monorepo that installs
// the packed packages with plain npm. Their own dependencies (postgres, ajv, sigstore, …) come from
// the npm registry: without it the test is skipped, loudly, except under CI=true, where it fails.

const inCi = process.env['CI'] === 'true' || process.env['CI'] === '1'
const ping = await runProgram('npm', ['ping'], { cwd: tmpdir(), env: plainNpmEnv(), timeoutMs: 60_000 })
const reachable = ping.code === 0
if (!reachable && !inCi) {
  console.warn(
    '\n*** SKIPPING the packed-install test of @squizzle-examples/storage-pgtable: npm cannot reach its ' +
      `registry (npm ping exited ${ping.code}). Under CI=true this fails instead. ***\n${ping.stderr.slice(0, 400)}\n`,
  )
}

describe.runIf(inCi && !reachable)('the packed-install test under CI', () => {
  it('needs the npm registry, which npm cannot reach', () => {
    expect.fail(`npm ping failed (exit ${ping.code}): ${ping.stderr.slice(0, 400)}`)
  })
})

describe.runIf(reachable)('the pgtable plugin, packed and installed with plain npm outside the monorepo', () => {
  let work: string
  let project: string
  let databaseUrl: string
  let storeUrl: string
  const lockedNames: Record<string, true> = {}
  const npx = (args: string[]): Promise<RunResult> =>
    runProgram('npx', ['--no', '--', 'squizzle', ...args], {
      cwd: project,
      env: plainNpmEnv({
        NO_COLOR: '1',
        DATABASE_URL: databaseUrl,
        SQUIZZLE_PGTABLE_URL: storeUrl,
        SQUIZZLE_DEV_URL: inject('postgresUrl'),
      }),
    })
  const ok = (r: RunResult) => expect(r, `${r.stdout}\n${r.stderr}`).toMatchObject({ code: 0 })

  beforeAll(async () => {
    // /tmp, not the repository: nothing may resolve through the monorepo's node_modules.
    work = await realpath(await mkdtemp(join(tmpdir(), 'squizzle-pgtable-install-')))
    project = join(work, 'project')
    await mkdir(join(work, 'packs'))
    await mkdir(project)
    const tarballs: Record<string, string> = {}
    for (const dir of packedDirs) {
      const name = (JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as { name: string }).name
      tarballs[name] = `file:../packs/${basename(await pack(dir, join(work, 'packs')))}`
      lockedNames[`node_modules/${name}`] = true
    }
    // Overrides point every @squizzle/* range (the plugin's ^0.1.0 on core too) at the tarballs, never at the registry.
    const overrides = Object.fromEntries(Object.keys(tarballs).map((name) => [name, `$${name}`]))
    const manifest = { name: 'pgtable-install-check', private: true, type: 'module', dependencies: tarballs, overrides }
    await writeFile(join(project, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`)
    const install = await runProgram('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], {
      cwd: project,
      env: plainNpmEnv(),
      timeoutMs: 900_000,
    })
    expect(install, install.stderr).toMatchObject({ code: 0 })
    databaseUrl = await createTestDatabase(inject('postgresUrl'), 'app')
    storeUrl = await createTestDatabase(inject('postgresUrl'), 'releases')
  }, 1_200_000)
  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true })
  })

  it('installs every @squizzle package from the tarballs, none from the registry', async () => {
    const lock = JSON.parse(await readFile(join(project, 'node_modules/.package-lock.json'), 'utf8')) as {
      packages: Record<string, { resolved?: string }>
    }
    const ours = Object.entries(lock.packages).filter(([path]) => /node_modules\/@squizzle(-examples)?\//.test(path))
    expect(ours.map(([path]) => path).sort()).toEqual(Object.keys(lockedNames).sort())
    for (const [path, entry] of ours) expect(entry.resolved, path).toMatch(/^file:/)
  })

  it("finds the plugin in the project's node_modules and lists it with --version --verbose", async () => {
    await writeFile(
      join(project, 'squizzle.config.yaml'),
      'storage:\n  use: "@squizzle-examples/storage-pgtable"\n  options: { schema: releases }\n',
    )
    const r = await npx(['--version', '--verbose', '--json'])
    ok(r)
    expect((JSON.parse(r.stdout) as { plugins: unknown[] }).plugins).toEqual([
      expect.objectContaining({
        role: 'storage',
        name: '@squizzle-examples/storage-pgtable',
        kind: 'storage',
        apiVersion: 1,
        from: join(project, 'node_modules/@squizzle-examples/storage-pgtable/dist/index.js'),
      }),
    ])
  })

  it('builds into the table store, applies from it and reports status, with npx squizzle', async () => {
    for (const [kind, sql] of [
      ['migrations', 'CREATE TABLE users (id int PRIMARY KEY);\n'],
      ['rollback', 'DROP TABLE users;\n'],
    ]) {
      await mkdir(join(project, 'db', kind!), { recursive: true })
      await writeFile(join(project, 'db', kind!, '001_users.sql'), sql!)
    }
    ok(await npx(['build', '1.0.0']))
    expect(await query(storeUrl, "SELECT tag FROM releases.tags WHERE tag = '1.0.0'")).toEqual([{ tag: '1.0.0' }])
    ok(await npx(['apply']))
    expect(await query(databaseUrl, "SELECT to_regclass('public.users')::text AS t")).toEqual([{ t: 'users' }])
    const status = await npx(['status', '--json'])
    ok(status)
    expect(JSON.parse(status.stdout)).toMatchObject({ current: '1.0.0', pending: [] })
  })
})
