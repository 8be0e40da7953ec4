import postgres from 'postgres'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { collect, squizzle, startSquizzle } from './support/cli-process.js'
import { createFleetDatabases, type FleetDatabases } from './support/fleet-databases.js'
import { accounts, buildFleetVersion, counts, fleetProject, reportOf, serverUrl } from './support/fleet-project.js'
import type { TestProject } from './support/project.js'

// Fleet rollouts that a signal or a second rollout interrupts: real processes of the built CLI.

let project: TestProject
afterEach(async () => {
  await project?.remove()
})
const run = (...args: string[]) => squizzle(args, { cwd: project.dir })
const build = buildFleetVersion
/** A key of the one-bigint advisory lock form: Squizzle's migration lock uses the two-int form, so they never meet. */
const heldKey = 7_301_002

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

describe('fleet apply and Ctrl-C', () => {
  it('cancels the target running at its next safe point, skips the rest, exits 130; a rerun finishes', async () => {
    const dbs = await createFleetDatabases(serverUrl(), 3, accounts)
    // The first target's version waits on an advisory lock the test holds (not on a sleep): it is surely in flight
    // when Ctrl-C comes, and the rerun, once the test lets go, runs at full speed.
    const blocker = postgres(dbs.urls.get('tenant_000')!, { max: 1, onnotice: () => {} })
    try {
      await blocker`SELECT pg_advisory_lock(${heldKey})`
      project = await fleetProject(dbs, '')
      await build(project, '1.0.0', `INSERT INTO runs VALUES (now());\nSELECT pg_advisory_xact_lock(${heldKey});\n`)
      const child = startSquizzle(['fleet', 'apply', '--json'], { cwd: project.dir })
      const done = collect(child)
      // Only this fleet's databases: other test files share the server and wait too.
      const waiting = async () =>
        [
          ...(
            await dbs.each(
              `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'
              AND query LIKE '%pg_advisory_xact_lock(${heldKey})%' AND pid <> pg_backend_pid()`,
            )
          ).values(),
        ].some((rows) => rows.length > 0)
      const until = Date.now() + 60_000
      while (!(await waiting()) && Date.now() < until) await new Promise((r) => setTimeout(r, 50))
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
      await blocker.end()
      const rerun = await run('fleet', 'apply', '--json')
      expect(reportOf(rerun.stdout).totals).toMatchObject({ applied: 3, failed: 0 })
      for (const [, [row]] of await counts(dbs)) expect(row).toEqual({ runs: 1, successes: 1 })
    } finally {
      await blocker.end()
      await dbs.drop()
    }
  })
})
