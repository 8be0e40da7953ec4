import { randomBytes } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { freePort, startEmbeddedPostgres, type EmbeddedServer } from '@squizzle/driver-postgres/embedded'
import { query } from '@squizzle/testkit'
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest'
import { collect, squizzle, startSquizzle } from './support/cli-process.js'
import { createProject, type TestProject } from './support/project.js'

// A deploy job often starts before its database accepts connections (a Kubernetes Job next
// to its PostgreSQL). apply waits for it, with bounded backoff, and says so; what waiting
// cannot fix (a wrong password) fails at once.

interface Outcome {
  events: { type: string; reason?: string }[]
  error?: { code: string; details?: Record<string, unknown> }
}

let project: TestProject
let server: EmbeddedServer | undefined
const json = (stdout: string) => JSON.parse(stdout) as Outcome
const retries = (o: Outcome) => o.events.filter((e) => e.type === 'connect.retry')

beforeEach(async () => {
  project = await createProject()
  await project.add('migrations', '001_users.sql', 'CREATE TABLE users (id int);')
  expect((await squizzle(['build', '1.0.0', '--irreversible'], { cwd: project.dir })).code).toBe(0)
})
afterEach(async () => {
  await server?.stop()
  server = undefined
  await project.remove()
})

describe('connecting while the database is not up yet', () => {
  it('keeps retrying apply until a server starts listening, then applies', { timeout: 240_000 }, async () => {
    const port = await freePort()
    const password = randomBytes(12).toString('hex')
    const url = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`
    const child = startSquizzle(['apply', '--connect-timeout', '180s', '--json'], {
      cwd: project.dir,
      env: { DATABASE_URL: url },
    })
    const done = collect(child)
    // The CLI is already knocking on a closed port; the server comes a few seconds later.
    await sleep(3_000)
    server = await startEmbeddedPostgres({ port, password })
    const r = await done
    expect(r.code, r.stdout + r.stderr).toBe(0)
    const outcome = json(r.stdout)
    expect(retries(outcome).length).toBeGreaterThan(0)
    expect(retries(outcome)[0]).toMatchObject({ reason: 'ECONNREFUSED' })
    expect(await query(server.url, "SELECT to_regclass('public.users') AS t")).toEqual([{ t: 'users' }])
  })

  it('shows each wait on the terminal', async () => {
    const url = `postgres://postgres:x@127.0.0.1:${await freePort()}/postgres`
    const r = await squizzle(['apply', '--connect-timeout', '2s'], { cwd: project.dir, env: { DATABASE_URL: url } })
    expect(r.code).toBe(1)
    expect(r.stdout).toMatch(/database not accepting connections yet \(ECONNREFUSED\); retrying in/)
    expect(r.stderr).toContain('CONNECTION_FAILED')
    expect(r.stderr).toMatch(/gave up after \d+ attempts/)
  })

  it('gives up after --connect-timeout (SQUIZZLE_CONNECT_TIMEOUT), saying how long it tried', async () => {
    const url = `postgres://postgres:x@127.0.0.1:${await freePort()}/postgres`
    const r = await squizzle(['apply', '--json'], {
      cwd: project.dir,
      env: { DATABASE_URL: url, SQUIZZLE_CONNECT_TIMEOUT: '2s' },
    })
    expect(r.code).toBe(1)
    const outcome = json(r.stdout)
    expect(outcome.error?.code).toBe('CONNECTION_FAILED')
    expect(retries(outcome).length).toBeGreaterThan(0)
    expect(outcome.error?.details).toMatchObject({ notReady: 'starting', attempts: retries(outcome).length + 1 })
  })

  it('tries once with --connect-timeout 0, and refuses a malformed one (exit 2)', async () => {
    const url = `postgres://postgres:x@127.0.0.1:${await freePort()}/postgres`
    const r = await squizzle(['apply', '--connect-timeout', '0', '--json'], {
      cwd: project.dir,
      env: { DATABASE_URL: url },
    })
    expect(r.code).toBe(1)
    expect(retries(json(r.stdout))).toEqual([])
    const malformed = await squizzle(['apply', '--connect-timeout', 'soon'], {
      cwd: project.dir,
      env: { DATABASE_URL: url },
    })
    expect(malformed.code).toBe(2)
  })

  it('fails at once on a wrong password, without retrying', async () => {
    const url = new URL(inject('postgresUrl'))
    url.password = 'not-the-password'
    const started = Date.now()
    const r = await squizzle(['apply', '--connect-timeout', '120s', '--json'], {
      cwd: project.dir,
      env: { DATABASE_URL: url.toString() },
    })
    expect(r.code).toBe(1)
    const outcome = json(r.stdout)
    expect(outcome.error?.code).toBe('CONNECTION_FAILED')
    expect(outcome.error?.details?.['attempts']).toBeUndefined()
    expect(retries(outcome)).toEqual([])
    // Far below the 120 s it would have waited had it retried (generous for a loaded machine).
    expect(Date.now() - started).toBeLessThan(60_000)
  })
})
