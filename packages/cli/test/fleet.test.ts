import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { query } from '@squizzle/testkit'
import { afterEach, describe, expect, it } from 'vitest'
import { squizzle } from './support/cli-process.js'
import { createFleetDatabases, type FleetDatabases } from './support/fleet-databases.js'
import {
  accounts,
  buildFleetVersion,
  counts,
  fleetProject,
  password,
  reportOf,
  serverUrl,
} from './support/fleet-project.js'
import { createProject, type TestProject } from './support/project.js'
import { inTerminal } from './support/terminal.js'

let project: TestProject
afterEach(async () => {
  await project?.remove()
})
const run = (...args: string[]) => squizzle(args, { cwd: project.dir })
const build = buildFleetVersion

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
