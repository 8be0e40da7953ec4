import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { squizzle } from './support/cli-process.js'
import { createProject, type TestProject } from './support/project.js'

let project: TestProject
const run = (...args: string[]) => squizzle(args, { cwd: project.dir })
const json = <T = Record<string, unknown>>(stdout: string): T => JSON.parse(stdout) as T
type Finding = { path: string; line: number; rule: string; level: string }

beforeEach(async () => {
  project = await createProject()
  await project.add('migrations', '001_t.sql', 'CREATE TABLE IF NOT EXISTS t (id bigint PRIMARY KEY);')
  await project.add(
    'migrations',
    '002_index.sql',
    "SET lock_timeout = '1s';\nSET statement_timeout = '5s';\nCREATE INDEX IF NOT EXISTS t_id_idx ON t (id);",
  )
  await project.add('rollback', '001_t.sql', 'DROP TABLE t;')
  await project.add('rollback', '002_index.sql', 'DROP INDEX t_id_idx;')
})
afterEach(async () => {
  await project.remove()
})

describe('squizzle build --lint', () => {
  it('reports squawk findings per file and line, and still builds', async () => {
    // Bare --lint does not swallow the version that follows it.
    const r = await run('build', '--lint', '1.0.0')
    expect(r.code).toBe(0)
    expect(r.stderr).toMatch(/migrations\/002_index\.sql:3:1 require-concurrent-index-creation/)
    const listed = json<{ versions: { version: string }[] }>((await run('list', '--json')).stdout)
    expect(listed.versions.map((v) => v.version)).toEqual(['1.0.0'])
  })

  it('puts the findings in the --json document, with bundle paths and 1-based lines', async () => {
    const r = await run('build', '1.0.0', '--lint', '--json')
    expect(r.code).toBe(0)
    const findings = json<{ lint: Finding[] }>(r.stdout).lint
    expect(findings).toContainEqual(
      expect.objectContaining({ path: 'migrations/002_index.sql', line: 3, rule: 'require-concurrent-index-creation' }),
    )
    // Rollback files are not linted.
    expect(findings.some((f) => f.path.startsWith('rollback/'))).toBe(false)
  })

  it('fails the build with --lint=error and stores nothing', async () => {
    const r = await run('build', '1.0.0', '--lint=error', '--json')
    expect(r.code).toBe(1)
    const error = json<{ error: { code: string; details: { findings: Finding[] } } }>(r.stdout).error
    expect(error.code).toBe('LINT_FAILED')
    expect(error.details.findings.map((f) => f.rule)).toContain('require-concurrent-index-creation')
    expect(json<{ versions: unknown[] }>((await run('list', '--json')).stdout).versions).toEqual([])
  })

  it('takes rules and the level from the config, and passes when the excluded rules were the only findings', async () => {
    await writeFile(
      join(project.dir, 'squizzle.config.yaml'),
      'storage: file:.squizzle/artifacts\nlint:\n  level: error\n  exclude: [prefer-robust-stmts]\n',
    )
    const failing = await run('build', '1.0.0', '--json')
    expect(failing.code).toBe(1)
    expect(
      json<{ error: { details: { findings: Finding[] } } }>(failing.stdout).error.details.findings.map((f) => f.rule),
    ).toEqual(['require-concurrent-index-creation'])
    await writeFile(
      join(project.dir, 'squizzle.config.yaml'),
      'storage: file:.squizzle/artifacts\nlint:\n  level: error\n  exclude: [prefer-robust-stmts, require-concurrent-index-creation]\n',
    )
    const passing = await run('build', '1.0.0', '--json')
    expect(passing.code).toBe(0)
    expect(json<{ lint: Finding[] }>(passing.stdout).lint).toEqual([])
  })

  it('refuses an unknown level (exit 2)', async () => {
    expect((await run('build', '1.0.0', '--lint=loud')).code).toBe(2)
  })
})
