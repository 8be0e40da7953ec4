import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { query } from '@squizzle/testkit'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest'
import { collect, squizzle, startSquizzle } from './support/cli-process.js'
import { createFleetDatabases, type FleetDatabases } from './support/fleet-databases.js'
import { createProject, type TestProject } from './support/project.js'
import { inTerminal } from './support/terminal.js'

interface TargetLine {
  name: string
  stage: string | null
  result: string
  versionBefore: string | null
  versionAfter: string | null
  error: { code: string; message: string } | null
  reason: string | null
}
interface Report {
  version: string
  targets: TargetLine[]
  totals: Record<string, number>
  halted: { stage: string; reason: string } | null
  exitCode: number
}

const serverUrl = () => inject('postgresUrl')
const password = () => decodeURIComponent(new URL(serverUrl()).password)
const accounts = 'CREATE TABLE accounts (id int PRIMARY KEY, balance int NOT NULL); CREATE TABLE runs (at timestamptz)'

let project: TestProject
afterEach(async () => {
  await project?.remove()
})

/** A project whose fleet is `dbs` (written to tenants.json, passwords and all) with the given stages. */
async function fleetProject(dbs: FleetDatabases, stagesYaml: string, extra = ''): Promise<TestProject> {
  const p = await createProject(
    `storage: file:.squizzle/artifacts\nfleet:\n  targets: { file: tenants.json }\n${stagesYaml}${extra}`,
  )
  const targets = [...dbs.urls].map(([name, url], i) => ({ name, url, labels: { tier: i === 0 ? 'canary' : 'main' } }))
  await writeFile(join(p.dir, 'tenants.json'), JSON.stringify(targets))
  return p
}

async function build(p: TestProject, version: string, sql: string): Promise<void> {
  await p.add('migrations', `${version.replaceAll('.', '_')}.sql`, sql)
  const r = await squizzle(['build', version, '--irreversible', '--no-snapshot'], { cwd: p.dir })
  expect(r.code, r.stderr).toBe(0)
}

const run = (...args: string[]) => squizzle(args, { cwd: project.dir })
const reportOf = (stdout: string) => JSON.parse(stdout) as Report
/** Per database: how often 1.0.0 ran (rows it inserted) and was recorded as applied. */
const counts = (dbs: FleetDatabases, version = '1.0.0') =>
  dbs.each<{ runs: number; successes: number }>(`SELECT
  (SELECT count(*)::int FROM runs) AS runs,
  (SELECT count(*)::int FROM squizzle.history WHERE status = 'success' AND version = '${version}') AS successes`)

describe('fleet apply on 100 databases', () => {
  let dbs: FleetDatabases
  // 100 databases: three full rollouts of them take minutes on a loaded 2-core machine, not seconds.
  const patient = 600_000
  beforeAll(async () => {
    dbs = await createFleetDatabases(serverUrl(), 100, accounts)
  }, patient)
  afterAll(async () => {
    await dbs.drop()
  }, patient)

  it(
    'applies a canary stage, then the rest 8 at a time: every target at the version, each exactly once',
    async () => {
      const stages =
        '  stages:\n    - { name: canary, select: { labels: { tier: canary } } }\n' +
        '    - { name: rest, parallel: 8 }\n'
      project = await fleetProject(dbs, stages)
      await build(project, '1.0.0', 'INSERT INTO runs VALUES (now());\nCREATE TABLE orders (id int);\n')
      const r = await run('fleet', 'apply', '--json')
      expect(r.code, r.stderr).toBe(0)
      const report = reportOf(r.stdout)
      expect(report.totals).toEqual({ applied: 100, current: 0, failed: 0, skipped: 0 })
      expect(report.targets[0]).toMatchObject({
        name: 'tenant_000',
        stage: 'canary',
        versionBefore: null,
        versionAfter: '1.0.0',
      })
      expect(report.targets.slice(1).every((t) => t.stage === 'rest' && t.versionAfter === '1.0.0')).toBe(true)
      for (const [, [row]] of await counts(dbs)) expect(row).toEqual({ runs: 1, successes: 1 })
      // A rerun finds every database at the version: nothing runs twice.
      const again = reportOf((await run('fleet', 'apply', '--json')).stdout)
      expect(again.totals).toEqual({ applied: 0, current: 100, failed: 0, skipped: 0 })
      for (const [, [row]] of await counts(dbs)) expect(row).toEqual({ runs: 1, successes: 1 })
      const status = await run('fleet', 'status', '--json')
      expect(status.code).toBe(0)
      expect(JSON.parse(status.stdout)).toMatchObject({
        versions: { '1.0.0': 100 },
        failing: 0,
        locked: 0,
        unreachable: 0,
      })
      expect(r.stdout + r.stderr + status.stdout).not.toContain(password())
    },
    patient,
  )

  it('splits the fleet into shards whose union is every target, none in two', async () => {
    project = await fleetProject(dbs, '')
    await build(project, '1.0.0', 'CREATE TABLE shard_check (id int);\n')
    const shards: string[][] = []
    for (let i = 0; i < 3; i++) {
      const r = await run('fleet', 'plan', '--shard', `${i}/3`, '--json')
      expect(r.code, r.stderr).toBe(0)
      shards.push((JSON.parse(r.stdout) as { targets: { name: string }[] }).targets.map((t) => t.name))
    }
    const all = shards.flat()
    expect(new Set(all).size).toBe(all.length)
    expect(all.sort()).toEqual([...dbs.urls.keys()].sort())
    expect((await run('fleet', 'plan', '--shard', '3/3')).code).toBe(2)
  })
})

describe('fleet apply when a target fails', () => {
  let dbs: FleetDatabases
  afterEach(async () => {
    await dbs.drop()
  })

  it('continue finishes the others, naming the target; maxFailures halts; a rerun finishes what is left', async () => {
    dbs = await createFleetDatabases(serverUrl(), 6, `${accounts}; INSERT INTO accounts VALUES (1, 10)`)
    await query(dbs.urls.get('tenant_002')!, 'UPDATE accounts SET balance = -5')
    const stages = '  stages:\n    - { name: all, parallel: 3, onError: continue }\n'
    const halting =
      '\nenvironments:\n  strict:\n    fleet:\n      targets: { file: tenants.json }\n' +
      '      stages: [{ name: one-by-one, onError: continue, maxFailures: 0 }]\n'
    project = await fleetProject(dbs, stages, halting)
    const check =
      'INSERT INTO runs VALUES (now());\nALTER TABLE accounts ADD CONSTRAINT positive CHECK (balance >= 0);\n'
    await build(project, '1.0.0', check)

    const plan = JSON.parse((await run('fleet', 'plan', '--json')).stdout) as {
      targets: { current: null; pending: string[] }[]
    }
    expect(plan.targets.map((t) => [t.current, t.pending])).toEqual(Array(6).fill([null, ['1.0.0']]))

    // maxFailures 0, one at a time: tenant_000 and _001 apply, _002 fails, the rest are never started.
    const strict = await run('fleet', 'apply', '--env', 'strict', '--json')
    expect(strict.code).toBe(1)
    const halted = reportOf(strict.stdout)
    expect(halted.halted).toMatchObject({ stage: 'one-by-one' })
    expect(halted.totals).toEqual({ applied: 2, current: 0, failed: 1, skipped: 3 })
    expect(halted.targets.find((t) => t.name === 'tenant_002')).toMatchObject({
      result: 'failed',
      error: { code: 'MIGRATION_FAILED' },
    })

    // continue: every other target finishes; the report names the one that failed.
    const cont = await run('fleet', 'apply', '--json')
    expect(cont.code).toBe(1)
    const report = reportOf(cont.stdout)
    expect(report.totals).toEqual({ applied: 3, current: 2, failed: 1, skipped: 0 })
    expect(report.targets.filter((t) => t.result === 'failed').map((t) => t.name)).toEqual(['tenant_002'])
    const status = JSON.parse((await run('fleet', 'status', '--json')).stdout) as {
      failing: number
      versions: Record<string, number>
      targets: { name: string; failed: { code: string }[] }[]
    }
    expect(status).toMatchObject({ failing: 1, versions: { '1.0.0': 5, '(none)': 1 } })
    // The history records the database's own error class for the failed run.
    expect(status.targets.find((t) => t.name === 'tenant_002')?.failed[0]?.code).toBe('DATABASE_ERROR')
    const human = await run('fleet', 'apply')
    expect(human.stdout).toMatch(/tenant_002\s+all\s+failed/)

    // Fixed: the rerun applies only tenant_002.
    await query(dbs.urls.get('tenant_002')!, 'UPDATE accounts SET balance = 5')
    const fixed = reportOf((await run('fleet', 'apply', '--json')).stdout)
    expect(fixed.totals).toEqual({ applied: 1, current: 5, failed: 0, skipped: 0 })
    expect(fixed.targets.find((t) => t.result === 'applied')?.name).toBe('tenant_002')
    for (const [, [row]] of await counts(dbs)) expect(row).toEqual({ runs: 1, successes: 1 })
  })
})

describe('fleet apply interrupted or concurrent', () => {
  let dbs: FleetDatabases
  beforeEach(async () => {
    dbs = await createFleetDatabases(serverUrl(), 12, accounts)
  })
  afterEach(async () => {
    await dbs.drop()
  })
  const stages = '  stages:\n    - { name: all, parallel: 3 }\n'
  const slow = 'INSERT INTO runs VALUES (now());\nSELECT pg_sleep(0.4);\n'
  const env = () => ({ SQUIZZLE_LOCK_TIMEOUT: '2m' })

  it('after a SIGKILL mid-rollout, a rerun converges: nothing twice, no stuck lock', async () => {
    project = await fleetProject(dbs, stages)
    await build(project, '1.0.0', slow)
    const child = startSquizzle(['fleet', 'apply', '--json'], { cwd: project.dir, env: env() })
    const done = collect(child)
    // The runs row commits with the version: a database that has one is done (history may not exist yet elsewhere).
    const applied = async () =>
      [...(await dbs.each<{ n: number }>('SELECT count(*)::int AS n FROM runs')).values()].filter(
        ([row]) => row!.n === 1,
      ).length
    const until = Date.now() + 60_000
    while ((await applied()) < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 50))
    child.kill('SIGKILL')
    expect((await done).signal).toBe('SIGKILL')
    const before = await applied()
    expect(before).toBeLessThan(12)
    const rerun = await squizzle(['fleet', 'apply', '--json'], { cwd: project.dir, env: env() })
    expect(rerun.code, rerun.stderr).toBe(0)
    expect(reportOf(rerun.stdout).totals.current).toBeGreaterThanOrEqual(before)
    for (const [, [row]] of await counts(dbs)) expect(row).toEqual({ runs: 1, successes: 1 })
    const locks = await dbs.each<{ n: number }>(`SELECT count(*)::int AS n FROM pg_locks
      WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`)
    for (const [, [row]] of locks) expect(row!.n).toBe(0)
  })

  it('two fleet apply at once apply every version exactly once', async () => {
    project = await fleetProject(dbs, stages)
    await build(project, '1.0.0', slow)
    await build(project, '1.1.0', 'INSERT INTO runs VALUES (now());\nSELECT pg_sleep(0.2);\n')
    const [a, b] = await Promise.all(
      [1, 2].map(() => collect(startSquizzle(['fleet', 'apply', '1.1.0', '--json'], { cwd: project.dir, env: env() }))),
    )
    expect(a!.code, a!.stderr).toBe(0)
    expect(b!.code, b!.stderr).toBe(0)
    const rows = await dbs.each<{ runs: number; successes: number }>(`SELECT (SELECT count(*)::int FROM runs) AS runs,
      (SELECT count(*)::int FROM squizzle.history WHERE status = 'success') AS successes`)
    // 1.0.0 then 1.1.0, each once: two runs and two success rows per database, whichever run applied them.
    for (const [, [row]] of rows) expect(row).toEqual({ runs: 2, successes: 2 })
  })
})

describe('fleet targets that cannot be reached', () => {
  let dbs: FleetDatabases
  afterEach(async () => {
    await dbs.drop()
  })

  it('reports an unreachable target and a wrong password per target, no secret anywhere in the output', async () => {
    dbs = await createFleetDatabases(serverUrl(), 1, accounts)
    const good = dbs.urls.get('tenant_000')!
    const wrong = Object.assign(new URL(good), { password: 'wr0ng-s3cret-pw' }).toString()
    const unreachable = Object.assign(new URL(good), { port: '1' }).toString()
    const list = [
      { name: 'good', url: good },
      { name: 'unreachable', url: 'env:UNREACHABLE_URL' },
      { name: 'wrong-password', url: wrong },
      { name: 'unset', url: 'env:NOT_SET_URL' },
    ]
    project = await createProject(
      `storage: file:.squizzle/artifacts\nfleet:\n  targets: ${JSON.stringify(list)}\n` +
        '  stages: [{ name: all, parallel: 2, onError: continue }]\n',
    )
    await build(project, '1.0.0', 'CREATE TABLE reachable (id int);\n')
    const cliEnv = { UNREACHABLE_URL: unreachable, SQUIZZLE_CONNECT_TIMEOUT: '0' }
    const r = await squizzle(['fleet', 'apply', '--json'], { cwd: project.dir, env: cliEnv })
    const h = await squizzle(['fleet', 'apply', '--verbose'], { cwd: project.dir, env: cliEnv })
    const s = await squizzle(['fleet', 'status'], { cwd: project.dir, env: cliEnv })
    expect(r.code).toBe(1)
    const byName = new Map(reportOf(r.stdout).targets.map((t) => [t.name, t]))
    expect(byName.get('good')).toMatchObject({ result: 'applied' })
    expect(byName.get('unreachable')).toMatchObject({ result: 'failed', error: { code: 'CONNECTION_FAILED' } })
    expect(byName.get('wrong-password')).toMatchObject({ result: 'failed', error: { code: 'CONNECTION_FAILED' } })
    expect(byName.get('unset')).toMatchObject({ result: 'failed', error: { code: 'FLEET_TARGET_INVALID' } })
    expect(h.stdout).toMatch(/wrong-password\s+-?\s*all\s+failed/)
    expect(s.code).toBe(1)
    const everything = [r, h, s].map((x) => x.stdout + x.stderr).join('\n')
    for (const secret of ['wr0ng-s3cret-pw', password()]) expect(everything).not.toContain(secret)
  })

  it('says clearly when the target-list query fails, without the control database password', async () => {
    dbs = await createFleetDatabases(serverUrl(), 1, accounts)
    project = await createProject(
      'storage: file:.squizzle/artifacts\nfleet:\n' +
        '  targets: { query: "select name, url from no_such_tenants", url: "env:CONTROL_DATABASE_URL" }\n',
    )
    await build(project, '1.0.0', 'CREATE TABLE t (id int);\n')
    const env = { CONTROL_DATABASE_URL: dbs.urls.get('tenant_000')! }
    const r = await squizzle(['fleet', 'apply', '--json'], { cwd: project.dir, env })
    const h = await squizzle(['fleet', 'plan'], { cwd: project.dir, env })
    expect(r.code).toBe(1)
    expect((JSON.parse(r.stdout) as { error: { code: string } }).error.code).toBe('FLEET_TARGETS_UNAVAILABLE')
    expect(h.stderr).toContain('no_such_tenants')
    expect(r.stdout + r.stderr + h.stdout + h.stderr).not.toContain(password())
  })

  it('reads the targets from the rows of a control database query, read-only', async () => {
    dbs = await createFleetDatabases(serverUrl(), 2, accounts)
    const control = dbs.urls.get('tenant_000')!
    await query(
      control,
      `CREATE TABLE tenants (tenant_id text, url text, labels jsonb);
      INSERT INTO tenants VALUES ('t1', '${dbs.urls.get('tenant_001')}', '{"tier": "canary"}')`,
    )
    project = await createProject(
      'storage: file:.squizzle/artifacts\nfleet:\n' +
        '  targets: { query: "select tenant_id as name, url, labels from tenants", url: "env:CONTROL_DATABASE_URL" }\n',
    )
    await build(project, '1.0.0', 'CREATE TABLE from_query (id int);\n')
    const r = await squizzle(['fleet', 'apply', '--json'], { cwd: project.dir, env: { CONTROL_DATABASE_URL: control } })
    expect(r.code, r.stderr).toBe(0)
    expect(reportOf(r.stdout).targets.map((t) => [t.name, t.result])).toEqual([['t1', 'applied']])
    // A schema-per-tenant row is that tenant: its own schema, history and lock in the database.
    await query(control, "ALTER TABLE tenants ADD COLUMN schema text DEFAULT 'tenant_a'")
    await writeFile(
      join(project.dir, 'squizzle.config.yaml'),
      'storage: file:.squizzle/artifacts\nfleet:\n' +
        '  targets: { query: "select tenant_id as name, url, schema from tenants", url: "env:CONTROL_DATABASE_URL" }\n',
    )
    const env = { CONTROL_DATABASE_URL: control }
    const tenantRows = await squizzle(['fleet', 'apply', '--json'], { cwd: project.dir, env })
    expect(tenantRows.code, tenantRows.stderr).toBe(0)
    expect(reportOf(tenantRows.stdout).targets.map((t) => [t.name, t.result])).toEqual([['t1', 'applied']])
    const tenantTables = await query(
      dbs.urls.get('tenant_001')!,
      `SELECT schemaname || '.' || tablename AS t
      FROM pg_tables WHERE tablename = 'from_query' ORDER BY 1`,
    )
    expect(tenantTables).toEqual([{ t: 'public.from_query' }, { t: 'tenant_a.from_query' }])
    // A schema that is no plain identifier is refused before anything connects.
    await query(control, `UPDATE tenants SET schema = 'a"; DROP SCHEMA public; --'`)
    const schemaRows = await squizzle(['fleet', 'plan', '--json'], { cwd: project.dir, env })
    expect(schemaRows.code).toBe(2)
    expect((JSON.parse(schemaRows.stdout) as { error: { code: string } }).error.code).toBe('FLEET_TARGET_INVALID')
    // A query that writes is refused by the read-only transaction.
    await writeFile(
      join(project.dir, 'squizzle.config.yaml'),
      'storage: file:.squizzle/artifacts\nfleet:\n' +
        '  targets: { query: "delete from tenants returning tenant_id as name, url", ' +
        'url: "env:CONTROL_DATABASE_URL" }\n',
    )
    const w = await squizzle(['fleet', 'plan', '--json'], { cwd: project.dir, env: { CONTROL_DATABASE_URL: control } })
    expect((JSON.parse(w.stdout) as { error: { code: string } }).error.code).toBe('FLEET_TARGETS_UNAVAILABLE')
    expect(await query(control, 'SELECT count(*)::int AS n FROM tenants')).toEqual([{ n: 1 }])
  })
})

describe('fleet apply and Ctrl-C', () => {
  it('cancels the target running at its next safe point, skips the rest, exits 130; a rerun finishes', async () => {
    const dbs = await createFleetDatabases(serverUrl(), 3, accounts)
    try {
      project = await fleetProject(dbs, '')
      await build(project, '1.0.0', 'INSERT INTO runs VALUES (now());\nSELECT pg_sleep(3);\n')
      const child = startSquizzle(['fleet', 'apply', '--json'], { cwd: project.dir })
      const done = collect(child)
      // Only this fleet's databases: other test files share the server and sleep too.
      const sleeping = async () =>
        [
          ...(
            await dbs.each(
              `SELECT 1 FROM pg_stat_activity WHERE datname = current_database()
              AND query LIKE '%pg_sleep(3)%' AND state = 'active' AND pid <> pg_backend_pid()`,
            )
          ).values(),
        ].some((rows) => rows.length > 0)
      const until = Date.now() + 60_000
      while (!(await sleeping()) && Date.now() < until) await new Promise((r) => setTimeout(r, 50))
      child.kill('SIGINT')
      const r = await done
      expect(r.code, r.stderr).toBe(130)
      const report = reportOf(r.stdout)
      expect(report.targets.map((t) => [t.name, t.result, t.error?.code ?? null])).toEqual([
        ['tenant_000', 'failed', 'CANCELLED'],
        ['tenant_001', 'skipped', null],
        ['tenant_002', 'skipped', null],
      ])
      expect(report.halted?.reason).toContain('cancelled')
      const rerun = await run('fleet', 'apply', '--json')
      expect(reportOf(rerun.stdout).totals).toMatchObject({ applied: 3, failed: 0 })
      for (const [, [row]] of await counts(dbs)) expect(row).toEqual({ runs: 1, successes: 1 })
    } finally {
      await dbs.drop()
    }
  })
})

describe('fleet targets from a command', () => {
  it('reads JSON lines a command prints, and says clearly when the command fails', async () => {
    const dbs = await createFleetDatabases(serverUrl(), 2, accounts)
    try {
      const lines = [...dbs.urls].map(([name, url]) => JSON.stringify({ name, url })).join('\n')
      project = await createProject(
        'storage: file:.squizzle/artifacts\nfleet:\n' +
          `  targets: { command: [${JSON.stringify(process.execPath)}, list.mjs] }\n`,
      )
      await writeFile(
        join(project.dir, 'list.mjs'),
        `if (process.env.FAIL) { console.error('no tenants'); process.exit(3) }
console.log(${JSON.stringify(lines)})\n`,
      )
      await build(project, '1.0.0', 'CREATE TABLE from_command (id int);\n')
      const r = await run('fleet', 'apply', '--json')
      expect(r.code, r.stderr).toBe(0)
      expect(reportOf(r.stdout).targets.map((t) => [t.name, t.result])).toEqual([
        ['tenant_000', 'applied'],
        ['tenant_001', 'applied'],
      ])
      const failing = await squizzle(['fleet', 'status'], { cwd: project.dir, env: { FAIL: '1' } })
      expect(failing.code).toBe(1)
      expect(failing.stderr).toContain('no tenants')
      expect(failing.stderr).toContain('FLEET_TARGETS_UNAVAILABLE')
      expect(r.stdout + failing.stderr).not.toContain(password())
    } finally {
      await dbs.drop()
    }
  })
})

describe('fleet apply on a terminal', () => {
  it('shows live done / running / failed counts, then one report table', async () => {
    const dbs = await createFleetDatabases(serverUrl(), 4, accounts)
    try {
      project = await fleetProject(dbs, '  stages:\n    - { name: all, parallel: 2 }\n')
      await build(project, '1.0.0', 'SELECT pg_sleep(0.6);\n')
      const { code, output } = await inTerminal(['fleet', 'apply'], { cwd: project.dir }).done
      expect(code, output).toBe(0)
      expect(output).toMatch(/\r\u001b\[2K[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] rolling out 1\.0\.0: [0-3] of 4 done, [12] running, 0 failed/)
      expect(output).toMatch(/TARGET\s+STAGE\s+RESULT\s+BEFORE\s+AFTER/)
      expect(output).toMatch(/tenant_003\s+all\s+applied\s+\(none\)\s+1\.0\.0/)
      expect(output).toContain('4 applied, 0 already current, 0 failed, 0 skipped')
    } finally {
      await dbs.drop()
    }
  })
})
