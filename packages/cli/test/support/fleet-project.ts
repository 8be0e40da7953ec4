import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { expect, inject } from 'vitest'
import { squizzle } from './cli-process.js'
import type { FleetDatabases } from './fleet-databases.js'
import { createProject, type TestProject } from './project.js'

/** One target's line of a `fleet apply --json` report. */
export interface TargetLine {
  name: string
  stage: string | null
  result: string
  versionBefore: string | null
  versionAfter: string | null
  error: { code: string; message: string } | null
  reason: string | null
}

/** The document `fleet apply --json` prints. */
export interface Report {
  version: string
  targets: TargetLine[]
  totals: Record<string, number>
  halted: { stage: string; reason: string } | null
  exitCode: number
}

export const serverUrl = (): string => inject('postgresUrl')
/** The test server's password, which no fleet output may contain. */
export const password = (): string => decodeURIComponent(new URL(serverUrl()).password)
/** What every fleet database starts with: `runs` counts how often a version's SQL ran. */
export const accounts =
  'CREATE TABLE accounts (id int PRIMARY KEY, balance int NOT NULL); CREATE TABLE runs (at timestamptz)'

/**
 * A project whose fleet is `dbs` (written to tenants.json, passwords and all) with the given stages.
 *
 * @example
 * ```ts
 * const project = await fleetProject(dbs, '  stages:\n    - { name: all, parallel: 3 }\n')
 * ```
 */
export async function fleetProject(dbs: FleetDatabases, stagesYaml: string, extra = ''): Promise<TestProject> {
  const p = await createProject(
    `storage: file:.squizzle/artifacts\nfleet:\n  targets: { file: tenants.json }\n${stagesYaml}${extra}`,
  )
  const targets = [...dbs.urls].map(([name, url], i) => ({ name, url, labels: { tier: i === 0 ? 'canary' : 'main' } }))
  await writeFile(join(p.dir, 'tenants.json'), JSON.stringify(targets))
  return p
}

/**
 * Builds `version` from one new migration file, without a snapshot (the fleet's tables exist only in its databases).
 *
 * @example
 * ```ts
 * await buildFleetVersion(project, '1.0.0', 'CREATE TABLE orders (id int);\n')
 * ```
 */
export async function buildFleetVersion(p: TestProject, version: string, sql: string): Promise<void> {
  await p.add('migrations', `${version.replaceAll('.', '_')}.sql`, sql)
  const r = await squizzle(['build', version, '--irreversible', '--no-snapshot'], { cwd: p.dir })
  expect(r.code, r.stderr).toBe(0)
}

export const reportOf = (stdout: string): Report => JSON.parse(stdout) as Report

/**
 * Per database: how often `version` ran (rows it inserted) and was recorded as applied.
 *
 * @example
 * ```ts
 * for (const [, [row]] of await counts(dbs)) expect(row).toEqual({ runs: 1, successes: 1 })
 * ```
 */
export const counts = (
  dbs: FleetDatabases,
  version = '1.0.0',
): Promise<Map<string, { runs: number; successes: number }[]>> =>
  dbs.each<{ runs: number; successes: number }>(`SELECT
  (SELECT count(*)::int FROM runs) AS runs,
  (SELECT count(*)::int FROM squizzle.history WHERE status = 'success' AND version = '${version}') AS successes`)
