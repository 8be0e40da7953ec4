import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
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
import type { TestProject } from './support/project.js'

// The 100-database rollout in a file of its own: it is the longest CLI test, and a file is
// what vitest spreads over its workers.

let project: TestProject
afterEach(async () => {
  await project?.remove()
})
const run = (...args: string[]) => squizzle(args, { cwd: project.dir })
const build = buildFleetVersion

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
