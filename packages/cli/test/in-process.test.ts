import { createServer } from 'node:net'
import { createTestDatabase, query } from '@squizzle/testkit'
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest'
import { squizzle, type CliResult } from './support/cli-process.js'
import { createProject, type TestProject } from './support/project.js'
import { watchRun } from './support/run-leaks.js'

// Most CLI tests run main() in the test process (see support/cli-process.ts); these prove
// that such a run is the run of the real binary, and that the harness catches a run that
// would not end like a process does.

/** The result with its project folder named the same way for both runs, and durations left out. */
const portable = (r: CliResult, dir: string) => {
  const durations = /\b\d+(\.\d+)? ?(ms|s)\b|"\w+Ms": \d+/g
  const text = (s: string) => s.replaceAll(dir, '<project>').replace(durations, '<duration>')
  return { code: r.code, signal: r.signal, stdout: text(r.stdout), stderr: text(r.stderr) }
}

describe('an in-process CLI run', () => {
  let inside: TestProject
  let outside: TestProject
  let urls: { inside: string; outside: string }

  beforeEach(async () => {
    inside = await createProject()
    outside = await createProject()
    const server = inject('postgresUrl')
    urls = { inside: await createTestDatabase(server), outside: await createTestDatabase(server) }
  })
  afterEach(async () => {
    await inside.remove()
    await outside.remove()
  })

  it('gives the exit code and output the built binary gives in its own process', async () => {
    // SOURCE_DATE_EPOCH makes builds reproducible: same files, same digest, if each run reads its own environment.
    const env = { SOURCE_DATE_EPOCH: '1700000000', SQUIZZLE_ACTOR: 'release-bot' }
    for (const project of [inside, outside]) {
      await project.add('migrations', '001_users.sql', 'CREATE TABLE users (id int PRIMARY KEY);')
      await project.add('migrations', '002_broken.sql', 'SELECT 1;\nINSERT INTO no_such_table VALUES (1);')
    }
    const commands = [
      ['--version'],
      ['frobnicate'],
      ['status', '--json'],
      ['build', '1.0.0', '--irreversible', '--no-snapshot', '--json'],
      ['build', '1.0.0', '--irreversible', '--no-snapshot'],
      ['list', '--json'],
      ['verify', '1.0.0'],
      ['apply', '--dry-run', '--json'],
      ['apply'],
      ['apply', '--json'],
    ]
    const codes: (number | null)[] = []
    for (const args of commands) {
      const withDb = (url: string) => (args[0] === 'status' ? env : { ...env, DATABASE_URL: url })
      const a = await squizzle(args, { cwd: inside.dir, env: withDb(urls.inside) })
      const b = await squizzle(args, { cwd: outside.dir, env: withDb(urls.outside), process: true })
      expect(portable(a, inside.dir), args.join(' ')).toEqual(portable(b, outside.dir))
      codes.push(a.code)
    }
    // Successes, usage errors, a build of an existing version and failed applies: every way out of main().
    expect(codes).toEqual([0, 2, 2, 0, 1, 0, 0, 0, 1, 1])
  })

  it('records the actor of its own environment, not the test process’s', async () => {
    await inside.add('migrations', '001_users.sql', 'CREATE TABLE users (id int);')
    const env = { DATABASE_URL: urls.inside, SQUIZZLE_ACTOR: 'release-bot' }
    const built = await squizzle(['build', '1.0.0', '--irreversible', '--no-snapshot'], { cwd: inside.dir, env })
    expect(built.code).toBe(0)
    expect((await squizzle(['apply'], { cwd: inside.dir, env })).code).toBe(0)
    expect(await query(urls.inside, 'SELECT actor FROM squizzle.history')).toEqual([{ actor: 'release-bot' }])
  })
})

describe('the in-process harness', () => {
  it('fails a run that leaves a handle open, which would keep a real process from exiting', async () => {
    const leaked = createServer()
    const run = watchRun(
      'a run that never closes its server',
      async () => {
        await new Promise<void>((resolve) => leaked.listen(0, '127.0.0.1', resolve))
        return 0
      },
      { settleMs: 200 },
    )
    try {
      await expect(run).rejects.toThrow(/left TCPSERVERWRAP keeping the event loop alive/)
    } finally {
      leaked.close()
    }
  })

  it('fails a run that changes the process environment', async () => {
    const run = watchRun('a run that writes process.env', async () => {
      process.env['SQUIZZLE_LEAKED_SETTING'] = 'x'
      return 0
    })
    try {
      await expect(run).rejects.toThrow(/changed process.env/)
    } finally {
      delete process.env['SQUIZZLE_LEAKED_SETTING']
    }
  })
})
