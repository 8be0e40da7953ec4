import { createTestDatabase, query } from '@squizzle/testkit'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { squizzle, startSquizzle } from './support/cli-process.js'
import { createProject, type TestProject } from './support/project.js'

// `squizzle apply --dry-run | head` and `squizzle drift | head`: the reader leaves after the
// first line while the CLI still writes. That used to end in `Error: write EPIPE … at
// Reporter.line` with a Node stack. Output here (about 130 KB) is larger than a pipe buffer
// (64 KiB), so every run keeps writing after its reader has gone.
//
// Repetitions: writes to a pipe are synchronous in Node on Linux, so every run blocks on the full
// pipe, its reader leaves, and its next write fails with EPIPE: each run takes the failing path,
// not one run in many. With the guard's error listener removed from the built CLI, all 50 of 50
// runs of each command failed. A few runs, four at a time on a loaded machine, still vary where
// in the output the reader leaves; fifty of them cost a minute of CPU and proved nothing more.
const runs = 10
let project: TestProject
let pending: string
let drifted: string

const tables = 300
const name = (i: number) => `customer_order_line_item_with_a_long_descriptive_name_${String(i).padStart(4, '0')}`
const comment = (word: string) => `${word} `.repeat(40)

beforeAll(async () => {
  project = await createProject()
  const sql = Array.from(
    { length: tables },
    (_, i) =>
      `CREATE TABLE ${name(i)} (id bigint PRIMARY KEY, quantity integer NOT NULL, note text);\nCOMMENT ON ` +
      `TABLE ${name(i)} IS '${comment('as built')}';`,
  )
  await project.add('migrations', '001_orders.sql', sql.join('\n'))
  expect((await squizzle(['build', '1.0.0', '--irreversible'], { cwd: project.dir })).code).toBe(0)
  pending = await createTestDatabase(inject('postgresUrl'))
  drifted = await createTestDatabase(inject('postgresUrl'))
  expect((await squizzle(['apply'], { cwd: project.dir, env: { DATABASE_URL: drifted } })).code).toBe(0)
  // Every comment changed by hand: drift prints each table with its old and new comment.
  await query(
    drifted,
    Array.from({ length: tables }, (_, i) => `COMMENT ON TABLE ${name(i)} IS '${comment('changed by hand')}';`).join(
      '\n',
    ),
  )
}, 180_000)
afterAll(() => project.remove())

/** Runs the CLI with a reader that closes its end of the pipe after the first chunk. */
function withEarlyClose(
  args: string[],
  databaseUrl: string,
): Promise<{ code: number | null; stderr: string; firstLine: string }> {
  const child = startSquizzle(args, { cwd: project.dir, env: { DATABASE_URL: databaseUrl } })
  let stderr = ''
  let firstLine = ''
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()))
  child.stdout?.once('data', (d: Buffer) => {
    firstLine = d.toString().split('\n')[0] ?? ''
    child.stdout?.destroy()
  })
  return new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stderr, firstLine }))
  })
}

/** Runs `count` times, a few at a time, and returns every result. */
async function repeat<T>(count: number, parallel: number, run: () => Promise<T>): Promise<T[]> {
  const results: T[] = []
  let started = 0
  const worker = async () => {
    while (started < count) {
      started++
      results.push(await run())
    }
  }
  await Promise.all(Array.from({ length: parallel }, worker))
  return results
}

describe('a reader that closes the pipe early', () => {
  it.each([
    ['apply --dry-run', ['apply', '--dry-run'], () => pending, '-- version 1.0.0'],
    ['drift', ['drift'], () => drifted, '✗ drift'],
  ])(
    '%s | head -1, ten times: no stack, no EPIPE, the usual exit code',
    async (_label, args, database, first) => {
      const results = await repeat(runs, 4, () => withEarlyClose(args as string[], (database as () => string)()))
      expect(results).toHaveLength(runs)
      for (const r of results) expect(r.firstLine.startsWith(first as string), r.firstLine).toBe(true)
      expect(
        results.filter((r) => r.stderr.includes('EPIPE') || /\n\s+at /.test(r.stderr)).map((r) => r.stderr),
      ).toEqual([])
      expect(results.map((r) => r.code)).toEqual(Array(runs).fill(0))
    },
    600_000,
  )
})
