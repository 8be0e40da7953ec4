import { createTestDatabase } from '@squizzle/testkit'
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest'
import { squizzle } from './support/cli-process.js'
import { createProject, type TestProject } from './support/project.js'

let project: TestProject
let url: string
const run = (args: string[], env: Record<string, string> = {}) =>
  squizzle(args, { cwd: project.dir, env: { DATABASE_URL: url, ...env } })

beforeEach(async () => {
  project = await createProject()
  url = await createTestDatabase(inject('postgresUrl'))
  await project.add('migrations', '001_t.sql', 'CREATE TABLE t (id int);')
  await project.add('rollback', '001_t.sql', 'DROP TABLE t;')
  expect((await run(['build', '1.0.0', '--no-snapshot', '--notes', 'first release: the t table'])).code).toBe(0)
  await project.add('migrations', '002_u.sql', 'CREATE TABLE u (id int);')
  await project.add('rollback', '002_u.sql', 'DROP TABLE u;')
  const notes =
    'second release, whose notes go on for much longer than any terminal is wide, so the table must cut them'
  expect((await run(['build', '1.1.0', '--no-snapshot', '--notes', notes])).code).toBe(0)
})
afterEach(() => project.remove())

describe('list', () => {
  it('is a table with a header, creation times, short digests and notes, cut to the width', async () => {
    const r = await run(['list'], { COLUMNS: '100' })
    expect(r.code).toBe(0)
    const lines = r.stdout.trimEnd().split('\n')
    expect(lines[0]).toMatch(/^VERSION\s+CREATED\s+DIGEST\s+NOTES$/)
    expect(lines[1]).toMatch(/^1\.0\.0\s+\d{4}-\d\d-\d\dT[\d:.]+Z\s+sha256:[0-9a-f]{8}…\s+first release: the t table$/)
    expect(lines[2]).toMatch(/second release, whose notes.*…$/)
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(100)
  })

  it('shows the whole digest with --verbose and in --json', async () => {
    expect((await run(['list', '--verbose'])).stdout).toMatch(/sha256:[0-9a-f]{64}/)
    const json = JSON.parse((await run(['list', '--json'])).stdout) as { versions: { digest: string; notes: string }[] }
    expect(json.versions[0]).toMatchObject({
      digest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
      notes: 'first release: the t table',
    })
  })
})

describe('status', () => {
  it('shows applied and pending versions as a table with states, durations and notes', async () => {
    expect((await run(['apply', '1.0.0'])).code).toBe(0)
    const r = await run(['status'], { COLUMNS: '120' })
    expect(r.code).toBe(0)
    const lines = r.stdout.split('\n')
    const header = lines.findIndex((l) => /^VERSION\s+STATE\s+APPLIED AT\s+DURATION\s+BY\s+NOTES$/.test(l))
    expect(header).toBeGreaterThan(-1)
    expect(lines[header + 1]).toMatch(
      /^1\.0\.0\s+applied\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ\s+\d+(\.\d)? m?s\s+\S+\s+first release: the t table$/,
    )
    expect(lines[header + 2]).toMatch(/^1\.1\.0\s+pending\s+second release/)
    const json = JSON.parse((await run(['status', '--json'])).stdout) as {
      applied: { durationMs: number; notes: string }[]
      pending: { notes: string }[]
    }
    expect(json.applied[0]).toMatchObject({ durationMs: expect.any(Number), notes: 'first release: the t table' })
    expect(json.pending[0]!.notes).toMatch(/^second release/)
  })
})
