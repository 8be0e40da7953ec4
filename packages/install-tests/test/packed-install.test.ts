import { chmod, mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createTestDatabase, query } from '@squizzle/testkit'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { plainNpmEnv, runCommand, type CommandResult } from './support/commands.js'
import {
  packPackage,
  publishedPackages,
  repoRoot,
  tarballEntries,
  tarballManifest,
  type PublishedPackage,
} from './support/packages.js'

// What a user gets from `npm i -D @squizzle/cli`: every published package packed as it would
// be published, installed with plain npm into an empty project outside the monorepo, then the
// README's first steps (init, a migration and its rollback, build, apply, status) run there.

const inCi = Boolean(process.env['CI'])
const registry = await runCommand('npm', ['ping'], { cwd: tmpdir(), env: plainNpmEnv(), timeoutMs: 60_000 }).catch(
  (err: unknown): CommandResult => ({ code: 1, stdout: '', stderr: String(err) }),
)
const reachable = registry.code === 0
if (!reachable && !inCi) {
  console.warn(
    '\n*** npm cannot reach its registry (npm ping failed): SKIPPING the packed-install test, which installs the ' +
      "packages' own dependencies from it. In CI it fails instead. ***\n" +
      registry.stderr.slice(0, 500) +
      '\n',
  )
}

const expectedPackages = [
  '@squizzle/cli',
  '@squizzle/core',
  '@squizzle/driver-postgres',
  '@squizzle/security',
  '@squizzle/storage-filesystem',
  '@squizzle/storage-oci',
]

let work: string
let project: string
const tarballs = new Map<string, string>()
let packages: PublishedPackage[] = []

/** `npx squizzle …` in the installed project, with a clean environment like a user's shell. */
const squizzle = (args: string[], env: Record<string, string> = {}) =>
  runCommand('npx', ['--no', '--', 'squizzle', ...args], {
    cwd: project,
    env: plainNpmEnv({ NO_COLOR: '1', ...env }),
    timeoutMs: 300_000,
  })

beforeAll(async () => {
  packages = await publishedPackages()
  // /tmp, not the repository: nothing may resolve through the monorepo's node_modules.
  work = await realpath(await mkdtemp(join(tmpdir(), 'squizzle-install-')))
  // As a project folder usually is: as root, the embedded server runs as user postgres and must reach its binaries.
  await chmod(work, 0o755)
  project = join(work, 'project')
  await mkdir(join(work, 'packs'))
  for (const pkg of packages) tarballs.set(pkg.name, await packPackage(pkg, join(work, 'packs')))
})
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true })
})

describe('published tarballs', () => {
  it('are exactly the six published packages', () => {
    expect(packages.map((p) => p.name).sort()).toEqual(expectedPackages)
  })

  it('each hold LICENSE, README.md and their build, and no sources, tests or test config', async () => {
    for (const pkg of packages) {
      const entries = await tarballEntries(tarballs.get(pkg.name)!)
      expect(entries, pkg.name).toEqual(
        expect.arrayContaining([
          'package/LICENSE',
          'package/README.md',
          'package/package.json',
          'package/dist/index.js',
        ]),
      )
      const unwanted = entries.filter(
        (e) =>
          /^package\/(src|test|tests|fixtures)\//.test(e) ||
          /\.(test|spec)\.[cm]?[jt]s(\.map)?$/.test(e) ||
          /(tsconfig[^/]*\.json|vitest\.config\.[cm]?[jt]s)$/.test(e),
      )
      expect(unwanted, pkg.name).toEqual([])
    }
  })

  it('name each other by version, not by workspace protocol', async () => {
    const versions = new Map(packages.map((p) => [p.name, p.version]))
    for (const pkg of packages) {
      const manifest = await tarballManifest(tarballs.get(pkg.name)!)
      expect(JSON.stringify(manifest), pkg.name).not.toContain('workspace:')
      for (const [dep, range] of Object.entries(manifest.dependencies ?? {})) {
        if (versions.has(dep)) expect(range, `${pkg.name} → ${dep}`).toBe(`^${versions.get(dep)}`)
      }
    }
  })
})

describe.skipIf(!reachable && !inCi)('installed with plain npm outside the monorepo', () => {
  it('installs, then runs init, build, apply and status like a new user', async () => {
    if (!reachable) throw new Error(`CI is set but npm cannot reach its registry: ${registry.stderr}`)
    expect(project.startsWith(await realpath(repoRoot))).toBe(false)
    await mkdir(project)
    await writeFile(
      join(project, 'package.json'),
      JSON.stringify({ name: 'squizzle-install-check', private: true, type: 'module' }),
    )
    const install = await runCommand('npm', ['install', '--no-audit', '--no-fund', ...tarballs.values()], {
      cwd: project,
      env: plainNpmEnv(),
      timeoutMs: 900_000,
    })
    expect(install.code, `npm install failed:\n${install.stdout}\n${install.stderr}`).toBe(0)

    const cli = packages.find((p) => p.name === '@squizzle/cli')!
    expect((await squizzle(['--version'])).stdout.trim()).toBe(cli.version)
    const url = await createTestDatabase(inject('postgresUrl'))
    const init = await squizzle(['init'], { DATABASE_URL: url })
    expect(init.code, init.stderr).toBe(0)
    await writeFile(
      join(project, 'db/migrations/001_users.sql'),
      'CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);\n',
    )
    await writeFile(join(project, 'db/rollback/001_users.sql'), 'DROP TABLE users;\n')
    // No --dev-url: the build replays on the embedded PostgreSQL that npm installed.
    const build = await squizzle(['build', '1.0.0', '--notes', 'users'])
    expect(build.code, `${build.stdout}\n${build.stderr}`).toBe(0)
    const apply = await squizzle(['apply'], { DATABASE_URL: url })
    expect(apply.code, `${apply.stdout}\n${apply.stderr}`).toBe(0)
    const status = await squizzle(['status', '--json'], { DATABASE_URL: url })
    expect(status.code, status.stderr).toBe(0)
    expect(JSON.parse(status.stdout)).toMatchObject({ current: '1.0.0', pending: [] })
    expect(await query(url, "SELECT to_regclass('public.users') AS t")).toEqual([{ t: 'users' }])
  })
})
