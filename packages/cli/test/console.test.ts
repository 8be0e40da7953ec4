import type { ChildProcess } from 'node:child_process'
import { createTestDatabase, query } from '@squizzle/testkit'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { collect, squizzle, startSquizzle } from './support/cli-process.js'
import { createProject, type TestProject } from './support/project.js'

// `squizzle console` serves @squizzle/console wired from the config: storage, trust policy,
// and one target per environment's database. Run as the built binary: it serves until SIGTERM.

const password = 'Cli-console-Pw-31f0'
const role = 'cli_console_user'
let project: TestProject
let stagingUrl: string
let productionUrl: string

async function withPassword(serverUrl: string): Promise<string> {
  const url = new URL(await createTestDatabase(serverUrl, 'cliconsole'))
  url.username = role
  url.password = password
  return url.toString()
}

/** Starts `squizzle console --json …` and waits for the JSON document with its address. */
async function startConsole(args: string[], env: Record<string, string> = {}, cwd = project.dir) {
  const child = startSquizzle(['console', '--port', '0', '--json', ...args], { cwd, env })
  let stdout = ''
  const started = new Promise<{ url: string; targets: string[] }>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString()
      // --json prints one (pretty) document once the server listens.
      try {
        resolve(JSON.parse(stdout) as { url: string; targets: string[] })
      } catch {
        // not complete yet
      }
    })
    child.once('exit', (code) => reject(new Error(`console exited with ${code}: ${stdout}`)))
  })
  const done = collect(child)
  return { child, started: await started, done, output: () => stdout }
}

const stop = async (child: ChildProcess, done: ReturnType<typeof collect>) => {
  child.kill('SIGTERM')
  return done
}

beforeAll(async () => {
  const serverUrl = inject('postgresUrl')
  const exists = await query<{ n: number }>(
    serverUrl,
    `SELECT count(*)::int AS n FROM pg_roles WHERE rolname = '${role}'`,
  )
  if (exists[0]!.n === 0) await query(serverUrl, `CREATE ROLE ${role} LOGIN SUPERUSER PASSWORD '${password}'`)
  stagingUrl = await withPassword(serverUrl)
  productionUrl = await withPassword(serverUrl)
  project = await createProject(
    [
      'storage: file:.squizzle/artifacts',
      'environments:',
      '  staging:',
      `    database: { url: "${stagingUrl}" }`,
      '  production:',
      `    database: { url: "${productionUrl}" }`,
      '',
    ].join('\n'),
  )
  await project.add('migrations', '001_users.sql', 'CREATE TABLE users (id int);')
  await project.add('rollback', '001_users.sql', 'DROP TABLE users;')
  expect((await squizzle(['build', '1.0.0'], { cwd: project.dir })).code).toBe(0)
  expect((await squizzle(['apply', '--env', 'staging'], { cwd: project.dir })).code).toBe(0)
})
afterAll(async () => {
  await project?.remove()
})

describe('squizzle console', () => {
  it('serves every environment of the config on loopback, without any password, until SIGTERM', async () => {
    const { child, started, done } = await startConsole([])
    expect(started.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(started.targets).toEqual(['staging', 'production'])
    const targets = await (await fetch(`${started.url}/api/targets`)).text()
    const parsed = JSON.parse(targets) as { targets: { name: string; current: string | null; location: string }[] }
    expect(parsed.targets.map((t) => [t.name, t.current])).toEqual([
      ['staging', '1.0.0'],
      ['production', null],
    ])
    expect(parsed.targets[0]!.location).toContain(`${role}:***@`)
    const releases = JSON.parse(await (await fetch(`${started.url}/api/releases`)).text()) as { total: number }
    expect(releases.total).toBe(1)
    for (const path of ['/targets', '/targets/staging', '/api/targets/production', '/releases/1.0.0']) {
      expect(await (await fetch(`${started.url}${path}`)).text()).not.toContain(password)
    }
    const result = await stop(child, done)
    expect(result.code).toBe(0)
    expect(result.stdout + result.stderr).not.toContain(password)
  })

  it('refuses a non-loopback host without a token (usage, exit 2), and requires the token when given', async () => {
    const refused = await squizzle(['console', '--host', '0.0.0.0', '--port', '0', '--json'], { cwd: project.dir })
    expect(refused.code).toBe(2)
    expect(JSON.parse(refused.stdout).error.code).toBe('USAGE')
    const token = 'cli-console-token-77aa'
    const { child, started, done } = await startConsole([], { SQUIZZLE_CONSOLE_TOKEN: token })
    expect((await fetch(`${started.url}/api/releases`)).status).toBe(401)
    const ok = await fetch(`${started.url}/api/releases`, { headers: { authorization: `Bearer ${token}` } })
    expect(ok.status).toBe(200)
    expect(await ok.text()).not.toContain(token)
    const result = await stop(child, done)
    expect(result.code).toBe(0)
    expect(result.stdout).not.toContain(token)
  })

  it('shows the databases of the fleet in the config, without their passwords', async () => {
    const fleetProject = await createProject(
      [
        'storage: file:.squizzle/artifacts',
        'fleet:',
        '  targets:',
        `    - { name: tenant_a, url: "${stagingUrl}" }`,
        '    - { name: tenant_b, url: "env:TENANT_B_URL" }',
        '',
      ].join('\n'),
    )
    try {
      await fleetProject.add('migrations', '001_users.sql', 'CREATE TABLE users (id int);')
      await fleetProject.add('rollback', '001_users.sql', 'DROP TABLE users;')
      expect((await squizzle(['build', '1.0.0', '--no-snapshot'], { cwd: fleetProject.dir })).code).toBe(0)
      const { child, started, done } = await startConsole([], { TENANT_B_URL: productionUrl }, fleetProject.dir)
      expect(started.targets).toEqual(['tenant_a', 'tenant_b'])
      const body = await (await fetch(`${started.url}/api/targets`)).text()
      const parsed = JSON.parse(body) as { targets: { name: string; current: string | null; location: string }[] }
      // tenant_a is the staging database, where 1.0.0 of the other project was applied: another history.
      expect(parsed.targets.map((t) => t.name)).toEqual(['tenant_a', 'tenant_b'])
      expect(parsed.targets[1]!.location).toBe('env:TENANT_B_URL')
      expect(body).not.toContain(password)
      const result = await stop(child, done)
      expect(result.code).toBe(0)
      expect(result.stdout + result.stderr).not.toContain(password)
    } finally {
      await fleetProject.remove()
    }
  })

  it('says --port must be a port number', async () => {
    const r = await squizzle(['console', '--port', 'eighty', '--json'], { cwd: project.dir })
    expect([r.code, JSON.parse(r.stdout).error.code]).toEqual([2, 'USAGE'])
  })
})
