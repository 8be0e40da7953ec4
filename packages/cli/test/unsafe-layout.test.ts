import { execFileSync } from 'node:child_process'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { createTestDatabase, query } from '@squizzle/testkit'
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest'
import { collect, startSquizzle, type CliResult } from './support/cli-process.js'
import { createProject, type TestProject } from './support/project.js'

let project: TestProject
let url: string

/** Runs the CLI, killing it if it has not finished after `ms`: a hang is a failed test, not a stuck suite. */
async function bounded(args: string[], ms = 20_000): Promise<CliResult> {
  const child = startSquizzle(args, { cwd: project.dir, env: { DATABASE_URL: url } })
  const timer = setTimeout(() => child.kill('SIGKILL'), ms)
  try {
    return await collect(child)
  } finally {
    clearTimeout(timer)
  }
}

beforeEach(async () => {
  project = await createProject()
  url = await createTestDatabase(inject('postgresUrl'))
  await project.add('migrations', '001_users.sql', 'CREATE TABLE users (id int);')
})
afterEach(async () => {
  await project.remove()
})

describe('a layout with something other than files in it', () => {
  it('verify and apply refuse a FIFO in place of the bundle blob: exit 3 (STORAGE_UNSAFE), no hang', async () => {
    const built = await bounded(['build', '1.0.0', '--irreversible', '--json'], 60_000)
    expect(built.code, built.stderr).toBe(0)
    const { bundleDigest } = JSON.parse(built.stdout) as { bundleDigest: string }
    const blob = join(project.dir, '.squizzle/artifacts/blobs/sha256', bundleDigest.slice(7))
    await rm(blob)
    execFileSync('mkfifo', [blob])

    for (const command of [['verify', '1.0.0'], ['apply']]) {
      const r = await bounded([...command, '--json'])
      expect(r.signal, `${command[0]} hung on the FIFO`).toBeNull()
      expect(r.code, r.stderr).toBe(3)
      expect((JSON.parse(r.stdout) as { error: { code: string } }).error.code).toBe('STORAGE_UNSAFE')
    }
    expect(await query(url, "SELECT to_regclass('public.users')::text AS t")).toEqual([{ t: null }])
  })
})
