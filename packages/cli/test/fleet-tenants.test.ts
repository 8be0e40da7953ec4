import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createTestDatabase, query } from '@squizzle/testkit'
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest'
import { collect, squizzle, startSquizzle } from './support/cli-process.js'
import { createProject, type TestProject } from './support/project.js'

interface Report {
  targets: { name: string; result: string; versionAfter: string | null }[]
  totals: Record<string, number>
}

const tenants = ['tenant_a', 'tenant_b', 'tenant_c', 'tenant_d']
let url: string
let project: TestProject

beforeEach(async () => {
  url = await createTestDatabase(inject('postgresUrl'))
})
afterEach(async () => {
  await project?.remove()
})

/** A project whose fleet is the four tenant schemas of one database (tenants.json), four at a time. */
async function tenantProject(schemas: readonly string[] = tenants): Promise<TestProject> {
  const p = await createProject(
    'storage: file:.squizzle/artifacts\nfleet:\n  targets: { file: tenants.json }\n' +
      '  stages: [{ name: all, parallel: 4 }]\n',
  )
  const targets = schemas.map((schema, i) => ({ name: `t${i}`, url: 'env:TENANTS_URL', schema }))
  await writeFile(join(p.dir, 'tenants.json'), JSON.stringify(targets))
  return p
}

async function build(p: TestProject, version: string, sql: string, ...flags: string[]): Promise<void> {
  await p.add('migrations', `${version.replaceAll('.', '_')}.sql`, sql)
  const r = await squizzle(['build', version, '--irreversible', ...flags], { cwd: p.dir })
  expect(r.code, r.stderr).toBe(0)
}

const env = () => ({ TENANTS_URL: url })
const run = (...args: string[]) => squizzle(args, { cwd: project.dir, env: env() })
const reportOf = (stdout: string) => JSON.parse(stdout) as Report
const errorCode = (stdout: string) => (JSON.parse(stdout) as { error: { code: string } }).error.code

/** Per tenant: the rows its migrations inserted (how often they ran) and its successful history rows. */
async function counts(): Promise<Record<string, { runs: number; successes: number }>> {
  const out: Record<string, { runs: number; successes: number }> = {}
  for (const t of tenants) {
    const [row] = await query<{ runs: number; successes: number }>(
      url,
      `SELECT (SELECT count(*)::int FROM ${t}.runs) AS runs,
        (SELECT count(*)::int FROM squizzle_${t}.history WHERE status = 'success') AS successes`,
    )
    out[t] = row!
  }
  return out
}

const userSchemas = async () =>
  (
    await query<{ n: string }>(
      url,
      `SELECT nspname AS n FROM pg_namespace WHERE nspname !~ '^pg_' AND nspname <> 'information_schema' ORDER BY 1`,
    )
  ).map((r) => r.n)

const v1 =
  'CREATE TABLE runs (at timestamptz);\nINSERT INTO runs VALUES (now());\n' +
  'CREATE TABLE users (id serial PRIMARY KEY, email text UNIQUE);\n'

describe('fleet of tenant schemas in one database', () => {
  it('applies each tenant in its own schema with its own history, once; status and drift per tenant', async () => {
    project = await tenantProject()
    await build(project, '1.0.0', v1)
    const r = await run('fleet', 'apply', '--json')
    expect(r.code, r.stderr).toBe(0)
    expect(reportOf(r.stdout).totals).toEqual({ applied: 4, current: 0, failed: 0, skipped: 0 })
    const all = Object.fromEntries(tenants.map((t) => [t, { runs: 1, successes: 1 }]))
    expect(await counts()).toEqual(all)
    expect(await userSchemas()).toEqual(['public', ...tenants, ...tenants.map((t) => `squizzle_${t}`)].sort())
    const inPublic = await query(url, `SELECT tablename FROM pg_tables WHERE schemaname = 'public'`)
    expect(inPublic).toEqual([])

    const again = await run('fleet', 'apply', '--json')
    expect(reportOf(again.stdout).totals).toEqual({ applied: 0, current: 4, failed: 0, skipped: 0 })
    expect(await counts()).toEqual(all)
    const status = await run('fleet', 'status', '--json')
    expect(status.code, status.stderr).toBe(0)
    expect(JSON.parse(status.stdout)).toMatchObject({ versions: { '1.0.0': 4 }, failing: 0, unreachable: 0 })

    // Drift of one tenant compares its schema alone with the bundle's snapshot (replayed into public).
    const clean = await run('drift', '--check', '--json', '--database-url', url, '--schema', 'tenant_b')
    expect(clean.code, clean.stdout + clean.stderr).toBe(0)
    expect(JSON.parse(clean.stdout)).toMatchObject({ status: 'clean', version: '1.0.0' })
    await query(url, 'ALTER TABLE tenant_c.users ADD COLUMN nickname text')
    const drifted = await run('drift', '--check', '--json', '--database-url', url, '--schema', 'tenant_c')
    expect(drifted.code).toBe(3)
    const differences = (JSON.parse(drifted.stdout) as { differences: { change: string; name: string }[] }).differences
    expect(differences.map((d) => [d.change, d.name])).toEqual([['added', 'public.users.nickname']])
    expect((await run('drift', '--check', '--database-url', url, '--schema', 'tenant_b')).code).toBe(0)
    // Single-target status of a tenant reads that tenant's history.
    const one = await run('status', '--json', '--database-url', url, '--schema', 'tenant_d')
    expect(JSON.parse(one.stdout)).toMatchObject({ current: '1.0.0' })
  })

  it('stays exactly once per tenant when two fleet apply run at once', async () => {
    project = await tenantProject()
    await build(project, '1.0.0', v1, '--no-snapshot')
    await build(project, '1.1.0', 'INSERT INTO runs VALUES (now());\nSELECT pg_sleep(0.5);\n', '--no-snapshot')
    const [a, b] = await Promise.all(
      [1, 2].map(() => collect(startSquizzle(['fleet', 'apply', '--json'], { cwd: project.dir, env: env() }))),
    )
    expect(a!.code, a!.stderr).toBe(0)
    expect(b!.code, b!.stderr).toBe(0)
    // 1.0.0 then 1.1.0 in every tenant, each once, whichever run applied it.
    expect(await counts()).toEqual(Object.fromEntries(tenants.map((t) => [t, { runs: 2, successes: 2 }])))
    const locks = await query<{ n: number }>(
      url,
      `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory'
        AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    )
    expect(locks).toEqual([{ n: 0 }])
  })
})

describe('hostile tenant schema names', () => {
  const hostile = [
    ['a quote', 'tenant_a"; DROP SCHEMA public; --'],
    ['a semicolon', 'a;b'],
    ['70 characters', 'a'.repeat(70)],
  ]

  it.each(hostile)('refuses a target whose schema has %s, creating nothing', async (_what, schema) => {
    project = await tenantProject(['tenant_a', schema])
    await build(project, '1.0.0', v1, '--no-snapshot')
    const before = await userSchemas()
    for (const action of ['apply', 'plan', 'status']) {
      const r = await run('fleet', action, '--json')
      expect(r.code).toBe(2)
      expect(errorCode(r.stdout)).toBe('FLEET_TARGET_INVALID')
      expect(r.stdout + r.stderr).not.toContain(schema)
    }
    const single = await run('apply', '--json', '--database-url', url, '--schema', schema)
    expect(single.code).toBe(2)
    expect(errorCode(single.stdout)).toBe('USAGE')
    expect(await userSchemas()).toEqual(before)
  })

  it('refuses a schema where it cannot be honoured: offline scripts, fleet --schema', async () => {
    project = await tenantProject()
    await build(project, '1.0.0', v1, '--no-snapshot')
    const offline = await run('sql', '1.0.0', '--json', '--schema', 'tenant_a')
    expect(offline.code).toBe(2)
    expect(errorCode(offline.stdout)).toBe('USAGE')
    const fleet = await run('fleet', 'plan', '--json', '--schema', 'tenant_a')
    expect(fleet.code).toBe(2)
    expect(errorCode(fleet.stdout)).toBe('USAGE')
  })

  it('refuses a hostile schema in the config itself', async () => {
    project = await createProject(
      'storage: file:.squizzle/artifacts\nfleet:\n  targets:\n' +
        `    - { name: t0, url: env:TENANTS_URL, schema: 'x"; drop' }\n`,
    )
    const r = await run('fleet', 'plan', '--json')
    expect(r.code).toBe(2)
    expect(errorCode(r.stdout)).toBe('CONFIG_INVALID')
  })
})
