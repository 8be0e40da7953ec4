import { createTestDatabase } from '@squizzle/testkit'
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest'
import { squizzle } from './support/cli-process.js'
import { createProject, type TestProject } from './support/project.js'
import { inTerminal } from './support/terminal.js'

let project: TestProject
let url: string
const run = (...args: string[]) => squizzle(args, { cwd: project.dir, env: { DATABASE_URL: url } })
type Event = { type: string; [key: string]: unknown }

beforeEach(async () => {
  project = await createProject()
  url = await createTestDatabase(inject('postgresUrl'))
})
afterEach(() => project.remove())

async function slowVersion(seconds: number): Promise<void> {
  await project.add('migrations', '001_slow.sql', `CREATE TABLE t (id int);\nSELECT pg_sleep(${seconds});\n`)
  await project.add('rollback', '001_slow.sql', 'DROP TABLE t;')
  expect((await run('build', '1.0.0', '--no-snapshot')).code).toBe(0)
}

describe('progress on long work', () => {
  it('through a pipe, says every few seconds what is still running, in human units', async () => {
    await slowVersion(12)
    const r = await run('apply')
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/… still applying 1\.0\.0, migrations\/001_slow\.sql, \d+\.\d s/)
    expect(r.stdout).toMatch(/✓ 1\.0\.0 applied in 1\d\.\d s/)
    expect(r.stdout).not.toMatch(/\d{4,} ms|\u001b/)
  })

  it('on a terminal, draws one live line that it clears before other output', async () => {
    await slowVersion(3)
    const { code, output } = await inTerminal(['apply'], { cwd: project.dir, env: { DATABASE_URL: url } }).done
    expect(code, output).toBe(0)
    expect(output).toMatch(/\r\u001b\[2K[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] applying 1\.0\.0, migrations\/001_slow\.sql, \d+(\.\d)? m?s/)
    // Each redraw replaces the line: no progress text ends in a newline of its own.
    expect(output).not.toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] applying[^\r]*\n/)
    expect(output).toContain('Database is now at 1.0.0.')
  })

  it('under --json, writes nothing but the JSON document, whose events keep raw numbers', async () => {
    await slowVersion(6)
    const r = await run('apply', '--json')
    const doc = JSON.parse(r.stdout) as { events: Event[] }
    expect(doc.events.find((e) => e.type === 'version.done')).toMatchObject({ durationMs: expect.any(Number) })
  })

  it('reports statements and bytes of a large file sent in pieces', async () => {
    const row = `INSERT INTO big VALUES ('${'x'.repeat(1000)}');\n`
    await project.add('migrations', '001_big.sql', `CREATE TABLE big (v text);\n${row.repeat(2500)}`)
    await project.add('rollback', '001_big.sql', 'DROP TABLE big;')
    expect((await run('build', '1.0.0', '--no-snapshot')).code).toBe(0)
    const doc = JSON.parse((await run('apply', '--json')).stdout) as { events: Event[] }
    const progress = doc.events.filter((e) => e.type === 'file.progress')
    expect(progress.length).toBeGreaterThanOrEqual(2)
    expect(progress.at(-1)).toMatchObject({
      path: 'migrations/001_big.sql',
      done: progress.length,
      statements: progress.length,
    })
    expect(progress.at(-1)!['bytesDone']).toBe(progress.at(-1)!['bytes'])
    expect(progress[0]!['bytesDone']).toBeLessThan(progress[0]!['bytes'] as number)
  })

  it('says when a build starts its replay database and how far the replay is', async () => {
    await project.add('migrations', '001_t.sql', 'CREATE TABLE t (id int);')
    await project.add('rollback', '001_t.sql', 'DROP TABLE t;')
    const r = await run('build', '1.0.0')
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toContain('preparing a scratch database to replay up to 1.0.0')
    expect(r.stdout).toMatch(/replaying 1 version up to 1\.0\.0 on /)
    await project.add('migrations', '002_u.sql', 'CREATE TABLE u (id int);')
    await project.add('rollback', '002_u.sql', 'DROP TABLE u;')
    // A full replay counts every version, and says why it does not start from a kept state.
    const doc = JSON.parse((await run('build', '1.1.0', '--json', '--no-replay-cache')).stdout) as { events: Event[] }
    const steps = (d: { events: Event[] }) =>
      d.events.filter((e) => e.type === 'replay.step').map((e) => [e['version'], e['done'], e['versions']])
    expect(steps(doc)).toEqual([
      ['1.0.0', 1, 2],
      ['1.1.0', 2, 2],
    ])
    await project.add('migrations', '003_v.sql', 'CREATE TABLE v (id int);')
    await project.add('rollback', '003_v.sql', 'DROP TABLE v;')
    const missed = await run('build', '1.2.0')
    expect(missed.stdout).toMatch(
      /↺ no kept state of 1\.1\.0 to reuse \(nothing is kept for it on .*\): replaying every/,
    )
    // Reusing a kept state is shown in test/replay-cache.test.ts, on a server of its own.
  })
})
