import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createFilesystemStorage } from '@squizzle/storage-filesystem'
import { createTestDatabase, findRegistryBinary, query, startTestRegistry, type TestRegistry } from '@squizzle/testkit'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest'
import { squizzle } from './support/cli-process.js'
import { createProject, type TestProject } from './support/project.js'

// A mistyped --storage used to read as an empty storage: `apply` said "nothing to apply"
// and exited 0, so a deploy silently did nothing.
let project: TestProject
let url: string
let elsewhere: string

beforeEach(async () => {
  project = await createProject()
  url = await createTestDatabase(inject('postgresUrl'))
  elsewhere = await mkdtemp(join(tmpdir(), 'squizzle-storage-'))
  await project.add('migrations', '001_users.sql', 'CREATE TABLE users (id int);')
  expect((await run(['build', '1.0.0', '--irreversible', '--no-snapshot'])).code).toBe(0)
})
afterEach(async () => {
  await project.remove()
  await rm(elsewhere, { recursive: true, force: true })
})

const run = (args: string[]) => squizzle([...args, '--json'], { cwd: project.dir, env: { DATABASE_URL: url } })
const outcome = async (args: string[]) => {
  const r = await run(args)
  return [r.code, (JSON.parse(r.stdout) as { error?: { code: string } }).error?.code ?? 'ok']
}

/**
 * A missing directory, a regular file, an empty directory, a directory of other files, and
 * what a write killed before its `oci-layout` leaves (empty `blobs/sha256/`, a temporary file in `ingest/`).
 */
async function notLayouts(): Promise<string[]> {
  const file = join(elsewhere, 'a-file')
  const empty = join(elsewhere, 'empty')
  const foreign = join(elsewhere, 'foreign')
  const interrupted = join(elsewhere, 'interrupted')
  await writeFile(file, 'not a layout')
  await mkdir(empty)
  await mkdir(foreign)
  await writeFile(join(foreign, 'notes.txt'), 'hello')
  await mkdir(join(interrupted, 'blobs', 'sha256'), { recursive: true })
  await mkdir(join(interrupted, 'ingest'))
  await writeFile(join(interrupted, 'ingest', '1@0-0.tmp'), '{"imageLayout')
  return [join(elsewhere, 'nonexistent', 'artifacts'), file, empty, foreign, interrupted]
}

describe('a storage that does not exist is an error, never an empty storage', () => {
  it('refuses it with STORAGE_NOT_FOUND (exit 2) for every command that reads it, running nothing', async () => {
    for (const path of await notLayouts()) {
      for (const command of [
        ['apply'],
        ['apply', '--dry-run'],
        ['status'],
        ['list'],
        ['verify', '1.0.0'],
        ['sbom', '1.0.0'],
        ['diff', '1.0.0', '1.0.0'],
        ['baseline', '1.0.0'],
        ['push', '1.0.0'],
      ]) {
        const flag = command[0] === 'push' ? [] : ['--storage', `file:${path}`]
        const env: Record<string, string> =
          command[0] === 'push' ? { SQUIZZLE_STORAGE: `file:${path}`, SQUIZZLE_REGISTRY: 'oci://127.0.0.1:1/x' } : {}
        const r = await squizzle([...command, ...flag, '--json'], {
          cwd: project.dir,
          env: { DATABASE_URL: url, ...env },
        })
        expect(
          [r.code, (JSON.parse(r.stdout) as { error?: { code: string } }).error?.code],
          `${command.join(' ')} on ${path}`,
        ).toEqual([2, 'STORAGE_NOT_FOUND'])
      }
    }
    expect(await query(url, "SELECT to_regclass('public.users')::text AS t")).toEqual([{ t: null }])
  })

  it('lets build create a missing layout, never write into a file or a directory of other files', async () => {
    const [missing, file, empty, foreign, interrupted] = await notLayouts()
    // Each build goes to another storage: the ledger of the one before would (rightly) call 1.0.0 released.
    const ledger = join(project.dir, 'db', 'squizzle.sum')
    await rm(ledger)
    expect(
      await outcome(['build', '1.0.0', '--irreversible', '--no-snapshot', '--storage', `file:${missing}`]),
    ).toEqual([0, 'ok'])
    await rm(ledger)
    expect(await outcome(['build', '1.0.0', '--irreversible', '--no-snapshot', '--storage', `file:${empty}`])).toEqual([
      0,
      'ok',
    ])
    await rm(ledger)
    const intoInterrupted = ['build', '1.0.0', '--irreversible', '--no-snapshot', '--storage', `file:${interrupted}`]
    expect(await outcome(intoInterrupted)).toEqual([0, 'ok'])
    expect((await createFilesystemStorage(interrupted!).list()).map((v) => v.version)).toEqual(['1.0.0'])
    await rm(ledger)
    expect(await outcome(['build', '1.0.0', '--irreversible', '--no-snapshot', '--storage', `file:${file}`])).toEqual([
      2,
      'STORAGE_NOT_FOUND',
    ])
    expect(
      await outcome(['build', '1.0.0', '--irreversible', '--no-snapshot', '--storage', `file:${foreign}`]),
    ).toEqual([2, 'STORAGE_NOT_FOUND'])
    expect((await createFilesystemStorage(missing!).list()).map((v) => v.version)).toEqual(['1.0.0'])
    expect(await outcome(['apply', '--storage', `file:${missing}`])).toEqual([0, 'ok'])
  })

  it('rollback still works from what the database kept when the storage is gone', async () => {
    await project.add('rollback', '002_orders.sql', 'DROP TABLE orders;')
    await project.add('migrations', '002_orders.sql', 'CREATE TABLE orders (id int);')
    expect(await outcome(['build', '1.1.0', '--no-snapshot'])).toEqual([0, 'ok'])
    expect(await outcome(['apply'])).toEqual([0, 'ok'])
    await rm(join(project.dir, '.squizzle'), { recursive: true, force: true })
    expect(await outcome(['apply'])).toEqual([2, 'STORAGE_NOT_FOUND'])
    expect(await outcome(['rollback', '--yes'])).toEqual([0, 'ok'])
  })
})

const skipRegistry = findRegistryBinary() === null && !process.env['CI']

describe.skipIf(skipRegistry)('a registry repository that does not exist', () => {
  let registry: TestRegistry
  beforeAll(async () => {
    registry = await startTestRegistry('open')
  })
  afterAll(async () => {
    await registry?.stop()
  })

  it('is STORAGE_NOT_FOUND for apply, list and as the source of pull; push creates it', async () => {
    const typo = registry.url('acme/db-migratoins')
    expect(await outcome(['apply', '--storage', typo])).toEqual([2, 'STORAGE_NOT_FOUND'])
    expect(await outcome(['list', '--storage', typo])).toEqual([2, 'STORAGE_NOT_FOUND'])
    expect(await outcome(['pull', '1.0.0', '--storage', typo])).toEqual([2, 'STORAGE_NOT_FOUND'])
    expect(await outcome(['push', '1.0.0', '--storage', typo])).toEqual([0, 'ok'])
    expect(await outcome(['apply', '--storage', typo])).toEqual([0, 'ok'])
  })
})
