import { access, mkdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createFilesystemStorage } from '@squizzle/storage-filesystem'
import { createTestDatabase, query } from '@squizzle/testkit'
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest'
import { squizzle, type CliResult } from './support/cli-process.js'
import { createProject as newProject, type TestProject } from './support/project.js'

/** A fixture plugin (see fixtures/plugins/README.md), by absolute path. */
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/plugins/${name}`, import.meta.url))

let project: TestProject
let url: string
const projects: TestProject[] = []
/** A new project (removed after the test, like every other one the test made). */
async function createProject(config?: string): Promise<TestProject> {
  projects.push(await newProject(config))
  return projects.at(-1)!
}
const run = (args: string[], env: Record<string, string> = {}) =>
  squizzle(args, { cwd: project.dir, env: { DATABASE_URL: url, ...env } })
const errorOf = (r: CliResult) => ({
  exit: r.code,
  ...(JSON.parse(r.stdout) as { error: { code: string; details?: Record<string, unknown> } }).error,
})
const exists = (path: string) =>
  access(join(project.dir, path)).then(
    () => true,
    () => false,
  )

/**
 * A self-contained plugin module in the project (no imports: the brand is a registered
 * symbol, so a plugin needs no copy of core to be recognised). `fields` override the defaults.
 */
async function pluginFile(name: string, fields = ''): Promise<void> {
  const base = "apiVersion: 1, name: 'p', version: '1.0.0', kind: 'storage', optionsSchema: {}, create: () => ({})"
  await mkdir(join(project.dir, 'plugins'), { recursive: true })
  await writeFile(
    join(project.dir, 'plugins', name),
    `export default { [Symbol.for('squizzle.plugin')]: true, ${base}, ${fields} }\n`,
  )
}

beforeEach(async () => {
  url = await createTestDatabase(inject('postgresUrl'))
})
afterEach(async () => {
  await Promise.all(projects.splice(0).map((p) => p.remove()))
})

describe('plugins that cannot be used (exit 2, naming the plugin and what it lacks)', () => {
  const storageUse = (use: string, options = '{}') => `storage:\n  use: ${JSON.stringify(use)}\n  options: ${options}\n`

  it('refuses a path that does not exist, and a package not installed in the project (PLUGIN_NOT_FOUND)', async () => {
    project = await createProject(storageUse('./plugins/missing.mjs'))
    expect(errorOf(await run(['list', '--json']))).toMatchObject({
      exit: 2,
      code: 'PLUGIN_NOT_FOUND',
      details: { use: './plugins/missing.mjs' },
    })
    // The CLI itself depends on this package; a project outside the monorepo does not, so it must not be found.
    project = await createProject(storageUse('@squizzle/storage-filesystem'))
    expect(errorOf(await run(['list', '--json']))).toMatchObject({
      exit: 2,
      code: 'PLUGIN_NOT_FOUND',
      details: { use: '@squizzle/storage-filesystem', root: project.dir },
    })
    // Nor through NODE_PATH (pnpm scripts set it to the workspace's packages): a project's import ignores it.
    const nodePath = fileURLToPath(new URL('../../../node_modules/.pnpm/node_modules', import.meta.url))
    const env = { DATABASE_URL: url, NODE_PATH: nodePath }
    const viaNodePath = await squizzle(['list', '--json'], { cwd: project.dir, env, process: true })
    expect(errorOf(viaNodePath)).toMatchObject({ exit: 2, code: 'PLUGIN_NOT_FOUND' })
  })

  it('refuses a module without a default export (PLUGIN_NO_EXPORT)', async () => {
    project = await createProject(storageUse('./plugins/none.mjs'))
    await mkdir(join(project.dir, 'plugins'))
    await writeFile(join(project.dir, 'plugins/none.mjs'), 'export const storage = {}\n')
    expect(errorOf(await run(['list', '--json']))).toMatchObject({ exit: 2, code: 'PLUGIN_NO_EXPORT' })
  })

  it('refuses a default export not made by definePlugin, and a module failing to import (PLUGIN_INVALID)', async () => {
    project = await createProject(storageUse('./plugins/plain.mjs'))
    await mkdir(join(project.dir, 'plugins'))
    await writeFile(join(project.dir, 'plugins/plain.mjs'), 'export default { name: "looks like one", create() {} }\n')
    expect(errorOf(await run(['list', '--json']))).toMatchObject({
      exit: 2,
      code: 'PLUGIN_INVALID',
      details: { problem: 'no plugin brand' },
    })
    // Another project and file: a module, once imported, is cached by its path.
    project = await createProject(storageUse('./plugins/broken.mjs'))
    await mkdir(join(project.dir, 'plugins'))
    await writeFile(join(project.dir, 'plugins/broken.mjs'), 'import "@acme/not-installed"\nexport default {}\n')
    expect(errorOf(await run(['list', '--json']))).toMatchObject({
      exit: 2,
      code: 'PLUGIN_INVALID',
      details: { problem: 'import failed' },
    })
  })

  it('refuses a plugin of another kind in the slot (PLUGIN_KIND_MISMATCH)', async () => {
    project = await createProject(storageUse('./plugins/driver.mjs'))
    await pluginFile('driver.mjs', "kind: 'driver'")
    expect(errorOf(await run(['list', '--json']))).toMatchObject({
      exit: 2,
      code: 'PLUGIN_KIND_MISMATCH',
      details: { kind: 'driver', expected: 'storage' },
    })
  })

  it('refuses a plugin written for another plugin API, naming both versions (PLUGIN_API_MISMATCH)', async () => {
    project = await createProject(storageUse('./plugins/next.mjs'))
    await pluginFile('next.mjs', "apiVersion: 2, name: '@acme/next'")
    const err = errorOf(await run(['list', '--json']))
    expect(err).toMatchObject({
      exit: 2,
      code: 'PLUGIN_API_MISMATCH',
      details: { plugin: '@acme/next', declared: 2, supported: 1 },
    })
  })

  it("refuses options the plugin's schema rejects, naming the option path (PLUGIN_OPTIONS_INVALID)", async () => {
    project = await createProject(storageUse(fixture('layout-storage.mjs'), '{ dir: x, retries: 3 }'))
    const err = errorOf(await run(['list', '--json']))
    expect(err).toMatchObject({
      exit: 2,
      code: 'PLUGIN_OPTIONS_INVALID',
      details: { plugin: 'fixture-layout-storage', source: 'storage.options' },
    })
    expect(err.details?.['problems']).toEqual([expect.stringContaining('retries')])
  })

  it('refuses a URL scheme two plugins register, or one that is built in (PLUGIN_SCHEME_CONFLICT)', async () => {
    project = await createProject(`plugins: [${fixture('layout-storage.mjs')}, ./plugins/layout-too.mjs]\n`)
    await pluginFile('layout-too.mjs', "schemes: ['layout'], fromUrl: () => ({})")
    const err = errorOf(await run(['list', '--json', '--storage', 'layout:///tmp/x']))
    expect(err).toMatchObject({
      exit: 2,
      code: 'PLUGIN_SCHEME_CONFLICT',
      details: { scheme: 'layout', plugins: [fixture('layout-storage.mjs'), './plugins/layout-too.mjs'] },
    })
    project = await createProject('plugins: [./plugins/oci.mjs]\n')
    await pluginFile('oci.mjs', "schemes: ['oci'], fromUrl: () => ({})")
    expect(errorOf(await run(['list', '--json', '--storage', 'other://x']))).toMatchObject({
      exit: 2,
      code: 'PLUGIN_SCHEME_CONFLICT',
      details: { scheme: 'oci' },
    })
  })

  it('refuses a plugins entry with no scheme (PLUGIN_INVALID), a scheme none has (STORAGE_URL_INVALID)', async () => {
    project = await createProject('plugins: [./plugins/plain.mjs]\n')
    await pluginFile('plain.mjs')
    expect(errorOf(await run(['list', '--json', '--storage', 's3://bucket/x']))).toMatchObject({
      exit: 2,
      code: 'PLUGIN_INVALID',
      details: { problem: 'no schemes' },
    })
    project = await createProject()
    expect(errorOf(await run(['list', '--json', '--storage', 's3://bucket/x']))).toMatchObject({
      exit: 2,
      code: 'STORAGE_URL_INVALID',
    })
  })

  it("reports a failing create() as PLUGIN_FAILED (exit 1), never printing the plugin's secret options", async () => {
    const token = 'tok-fixture-98765'
    project = await createProject(storageUse(fixture('layout-storage.mjs'), `{ dir: x, token: ${token}, fail: true }`))
    const json = await run(['list', '--json'])
    expect(errorOf(json)).toMatchObject({ exit: 1, code: 'PLUGIN_FAILED' })
    const text = await run(['list', '--verbose'])
    expect(text.stderr).toContain('the store rejected token ***')
    expect(json.stdout + text.stdout + text.stderr).not.toContain(token)
  })

  it('loads no plugin for commands that need none: keygen works with a broken storage plugin configured', async () => {
    project = await createProject(storageUse('./plugins/missing.mjs'))
    const r = await run(['keygen', '--out', 'keys/k', '--json'], {
      SQUIZZLE_SIGNING_KEY_PASSPHRASE: 'a long passphrase 1',
    })
    expect(r.code).toBe(0)
  })
})

describe('squizzle --version', () => {
  it('alone prints only the version and loads nothing, not even a broken config', async () => {
    project = await createProject('storage: { use: ./plugins/missing.mjs }\nnot-a-key: 1\n')
    const r = await run(['--version'])
    expect(r).toMatchObject({ code: 0, stderr: '' })
    expect(r.stdout).toMatch(/^\d+\.\d+\.\d+\n$/)
  })

  it('--verbose lists CLI, core, Node and each plugin: name, version, kind, API, from, redacted options', async () => {
    const token = 'tok-verbose-13579'
    project = await createProject(
      [
        `storage: { use: ${fixture('layout-storage.mjs')}, options: { dir: store, token: ${token} } }`,
        `signer: { use: ${fixture('key-signer.mjs')}, options: { key: keys/k.key, unlock: unlock-phrase-2468 } }`,
        `plugins: [${fixture('layout-storage.mjs')}]`,
        '',
      ].join('\n'),
    )
    const r = await run(['--version', '--verbose', '--json'])
    expect(r.code).toBe(0)
    const report = JSON.parse(r.stdout) as Record<string, unknown>
    expect(report).toMatchObject({
      squizzle: expect.any(String),
      core: expect.any(String),
      node: process.version,
      pluginApiVersion: 1,
    })
    expect(report['plugins']).toEqual([
      {
        role: 'storage',
        use: fixture('layout-storage.mjs'),
        name: 'fixture-layout-storage',
        version: '1.2.3',
        kind: 'storage',
        apiVersion: 1,
        schemes: ['layout'],
        from: fixture('layout-storage.mjs'),
        options: { dir: 'store', token: '***' },
      },
      {
        role: 'signer',
        use: fixture('key-signer.mjs'),
        name: 'fixture-key-signer',
        version: '2.0.0',
        kind: 'signer',
        apiVersion: 1,
        schemes: [],
        from: fixture('key-signer.mjs'),
        options: { key: 'keys/k.key', unlock: '***' },
      },
      {
        role: 'plugins',
        use: fixture('layout-storage.mjs'),
        name: 'fixture-layout-storage',
        version: '1.2.3',
        kind: 'storage',
        apiVersion: 1,
        schemes: ['layout'],
        from: fixture('layout-storage.mjs'),
        options: null,
      },
    ])
    const text = await run(['-V', '-v'])
    expect(text.code).toBe(0)
    expect(text.stdout).toContain('fixture-key-signer 2.0.0 (signer plugin, API 1)')
    expect(text.stdout).toContain(`from ${fixture('key-signer.mjs')}`)
    expect(r.stdout + text.stdout + text.stderr).not.toMatch(/tok-verbose-13579|unlock-phrase-2468/)
    // Nothing was created: the storage directory does not exist.
    expect(await exists('store')).toBe(false)
  })

  it("resolves a package from the config file's folder, through its import exports, from any folder", async () => {
    project = await createProject('plugins: ["@acme/squizzle-storage-x/plugin"]\n')
    const pkg = join(project.dir, 'node_modules/@acme/squizzle-storage-x')
    await mkdir(join(pkg, 'esm'), { recursive: true })
    const exports = { './plugin': { types: './x.d.ts', require: './missing.cjs', import: './esm/plugin.mjs' } }
    await writeFile(
      join(pkg, 'package.json'),
      JSON.stringify({ name: '@acme/squizzle-storage-x', type: 'module', exports }),
    )
    const fields =
      "name: '@acme/squizzle-storage-x', kind: 'storage', optionsSchema: {}, " +
      "schemes: ['x'], fromUrl: () => ({}), create: () => ({})"
    await writeFile(
      join(pkg, 'esm/plugin.mjs'),
      `export default { [Symbol.for('squizzle.plugin')]: true, apiVersion: 1, version: '3.0.0', ${fields} }\n`,
    )
    await mkdir(join(project.dir, 'db/migrations'), { recursive: true })
    const r = await squizzle(['--version', '--verbose', '--json'], { cwd: join(project.dir, 'db/migrations') })
    expect(r.code).toBe(0)
    expect((JSON.parse(r.stdout) as { plugins: unknown[] }).plugins).toEqual([
      expect.objectContaining({
        role: 'plugins',
        name: '@acme/squizzle-storage-x',
        version: '3.0.0',
        from: join(pkg, 'esm/plugin.mjs'),
      }),
    ])
  })

  it('with --verbose fails like a command would when a plugin cannot be used (exit 2)', async () => {
    project = await createProject('driver: { use: ./plugins/missing.mjs }\n')
    expect(errorOf(await run(['--version', '--verbose', '--json']))).toMatchObject({
      exit: 2,
      code: 'PLUGIN_NOT_FOUND',
    })
  })
})

describe('a storage plugin', () => {
  it('serves build, list, apply and status when the config names it by path', async () => {
    project = await createProject(
      `storage:\n  use: ${fixture('layout-storage.mjs')}\n  options: { dir: plugin-store }\n`,
    )
    await project.add('migrations', '001_users.sql', 'CREATE TABLE users (id int);')
    expect((await run(['build', '1.0.0', '--irreversible', '--no-snapshot'])).code).toBe(0)
    // The plugin wrote the version where its options said, not to the default layout.
    expect(await createFilesystemStorage(join(project.dir, 'plugin-store')).exists('1.0.0')).toBe(true)
    expect(await exists('.squizzle/artifacts')).toBe(false)
    const listed = await run(['list', '--json'])
    expect((JSON.parse(listed.stdout) as { versions: { version: string }[] }).versions.map((v) => v.version)).toEqual([
      '1.0.0',
    ])
    expect((await run(['apply'])).code).toBe(0)
    expect(await query(url, "SELECT to_regclass('public.users')::text AS t")).toEqual([{ t: 'users' }])
    const status = await run(['status'])
    expect(status.stdout).toContain(`Storage  oci-layout:${join(project.dir, 'plugin-store')}`)
  })

  it('serves URLs of its scheme in --storage, SQUIZZLE_STORAGE, and as the other side of push and pull', async () => {
    project = await createProject(`plugins: [${fixture('layout-storage.mjs')}]\n`)
    await project.add('migrations', '001_users.sql', 'CREATE TABLE users (id int);')
    expect((await run(['build', '1.0.0', '--irreversible', '--no-snapshot'])).code).toBe(0)
    const remote = `layout://${join(project.dir, 'remote')}`
    const pushed = await run(['push', '1.0.0', '--storage', remote, '--json'])
    expect(pushed.code).toBe(0)
    expect(JSON.parse(pushed.stdout)).toMatchObject({ to: `oci-layout:${join(project.dir, 'remote')}` })
    expect((await run(['apply', '--storage', remote])).code).toBe(0)
    expect((await run(['verify', '1.0.0'], { SQUIZZLE_STORAGE: remote })).code).toBe(0)
    expect(await query(url, 'SELECT version FROM squizzle.history')).toEqual([{ version: '1.0.0' }])
    await rm(join(project.dir, '.squizzle'), { recursive: true })
    expect((await run(['pull', '1.0.0', '--storage', remote])).code).toBe(0)
    expect(await createFilesystemStorage(join(project.dir, '.squizzle/artifacts')).exists('1.0.0')).toBe(true)
  })

  it('is what export reads and import writes; a storage without a content target cannot be copied', async () => {
    const config = (dir: string) => `storage: { use: ${fixture('layout-storage.mjs')}, options: { dir: ${dir} } }\n`
    project = await createProject(config('plugin-store'))
    await project.add('migrations', '001_users.sql', 'CREATE TABLE users (id int);')
    expect((await run(['build', '1.0.0', '--irreversible', '--no-snapshot'])).code).toBe(0)
    const archive = join(project.dir, 'release.tar')
    expect((await run(['export', '1.0.0', '-o', archive])).code).toBe(0)
    project = await createProject(config('imported'))
    expect((await run(['import', archive])).code).toBe(0)
    expect(await createFilesystemStorage(join(project.dir, 'imported')).exists('1.0.0')).toBe(true)
    // A plugin's own ArtifactStorage: versions can be listed, but there is no content to walk.
    project = await createProject('storage: { use: ./plugins/bare.mjs }\n')
    const version = `{ version: '1.0.0', digest: 'sha256:${'0'.repeat(64)}', created: '2026-01-01T00:00:00Z' }`
    const bare = `name: 'bare', pull() {}, push() {}, exists: async () => true, list: async () => [${version}]`
    await pluginFile('bare.mjs', `create: () => ({ [Symbol.for('squizzle.storage')]: true, ${bare}, delete() {} })`)
    for (const args of [
      ['export', '--all', '-o', archive],
      ['import', archive],
    ]) {
      expect(errorOf(await run([...args, '--json']))).toMatchObject({ exit: 1, code: 'STORAGE_UNSUPPORTED' })
    }
  })

  it('must hold a version where a command needs one (STORAGE_NOT_FOUND, exit 2); reading creates nothing', async () => {
    project = await createProject(`storage: { use: ${fixture('layout-storage.mjs')}, options: { dir: empty } }\n`)
    expect(errorOf(await run(['apply', '--json']))).toMatchObject({ exit: 2, code: 'STORAGE_NOT_FOUND' })
    expect(await exists('empty')).toBe(false)
  })
})

describe('a driver plugin', () => {
  it('migrates instead of the built-in driver; status and drift say what it lacks instead of failing', async () => {
    project = await createProject(
      `driver: { use: ${fixture('wrapped-driver.mjs')}, options: { applicationName: plugin-run } }\n`,
    )
    await project.add('migrations', '001_users.sql', 'CREATE TABLE users (id int);')
    expect((await run(['build', '1.0.0', '--irreversible', '--no-snapshot'])).code).toBe(0)
    expect((await run(['apply'])).code).toBe(0)
    expect(await query(url, 'SELECT version, status FROM squizzle.history')).toEqual([
      { version: '1.0.0', status: 'success' },
    ])
    const status = await run(['status'])
    expect(status.code).toBe(0)
    expect(status.stdout).toContain('Database fixture-wrapped-driver')
    const json = JSON.parse((await run(['status', '--json'])).stdout) as { drift: { status: string; code: string } }
    expect(json.drift).toMatchObject({ status: 'unavailable', code: 'SNAPSHOT_UNSUPPORTED' })
    expect(errorOf(await run(['drift', '--json']))).toMatchObject({ exit: 1, code: 'SNAPSHOT_UNSUPPORTED' })
  })
})

describe('a signer plugin', () => {
  it('signs build --sign and sign; apply under a required policy accepts it; writeOnly values never show', async () => {
    const unlock = 'plugin passphrase 8642'
    project = await createProject(
      [
        `signer: { use: ${fixture('key-signer.mjs')}, options: { key: keys/release.key, unlock: "${unlock}" } }`,
        'environments:',
        '  production:',
        '    trust: { signatures: required, publicKeys: [keys/release.pub] }',
        '',
      ].join('\n'),
    )
    expect((await run(['keygen', '--out', 'keys/release'], { SQUIZZLE_SIGNING_KEY_PASSPHRASE: unlock })).code).toBe(0)
    await project.add('migrations', '001_users.sql', 'CREATE TABLE users (id int);')
    const built = await run(['build', '1.0.0', '--irreversible', '--no-snapshot', '--sign', '--json'])
    expect(JSON.parse(built.stdout)).toMatchObject({ version: '1.0.0', signed: true })
    const signed = await run(['sign', '1.0.0', '--json'])
    expect(JSON.parse(signed.stdout)).toMatchObject({
      signed: true,
      method: 'plugin',
      signer: fixture('key-signer.mjs'),
    })
    expect((await run(['apply', '--env', 'production'])).code).toBe(0)
    const [audit] = await query(
      url,
      "SELECT outcome, details->'signer'->>'method' AS method FROM squizzle.audit WHERE operation = 'apply'",
    )
    expect(audit).toEqual({ outcome: 'success', method: 'key' })
    const verbose = await run(['--version', '--verbose'])
    expect(built.stdout + signed.stdout + verbose.stdout + verbose.stderr).not.toContain(unlock)
  })
})
