import { readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { squizzle } from './support/cli-process.js'
import { createProject, type TestProject } from './support/project.js'

let project: TestProject
const run = (...args: string[]) => squizzle(args, { cwd: project.dir })
const files = async (kind: string) => readdir(join(project.dir, 'db', kind)).catch(() => [] as string[])

beforeEach(async () => {
  project = await createProject()
})
afterEach(() => project.remove())

describe('squizzle new', () => {
  it('creates a UTC-timestamped migration and its rollback file of the same name, and prints both', async () => {
    const before = new Date().toISOString().replace(/\D/g, '').slice(0, 14)
    const r = await run('new', 'add orders!')
    expect(r.code, r.stderr).toBe(0)
    const [migration] = await files('migrations')
    expect(migration).toMatch(/^\d{14}_add_orders\.sql$/)
    expect(migration!.slice(0, 14) >= before).toBe(true)
    expect(await files('rollback')).toEqual([migration])
    expect(r.stdout).toContain(`db/migrations/${migration}`)
    expect(r.stdout).toContain(`db/rollback/${migration}`)
    expect(await readFile(join(project.dir, 'db/rollback', migration!), 'utf8')).toContain(`db/migrations/${migration}`)
  })

  it('writes the folders from the config and answers --json', async () => {
    await writeFile(join(project.dir, 'squizzle.config.yaml'), 'paths:\n  migrations: sql/up\n  rollback: sql/down\n')
    const r = await run('new', 'users', '--json')
    const created = JSON.parse(r.stdout) as { migration: string; rollback: string }
    expect(created.migration).toMatch(/^sql\/up\/\d{14}_users\.sql$/)
    expect(created.rollback).toBe(created.migration.replace('sql/up', 'sql/down'))
  })

  it('--no-rollback creates only the migration, and warns when rollback files are required', async () => {
    const r = await run('new', 'backfill', '--no-rollback')
    expect(r.code).toBe(0)
    expect(await files('migrations')).toHaveLength(1)
    expect(await files('rollback')).toEqual([])
    expect(r.stderr).toContain('rollback.required')
    await writeFile(join(project.dir, 'squizzle.config.yaml'), 'rollback:\n  required: false\n')
    expect((await run('new', 'more', '--no-rollback')).stderr).toBe('')
  })

  it('refuses a name with nothing to keep, and never overwrites a file', async () => {
    expect((await run('new', '!!!')).code).toBe(2)
    expect((await run('new')).code).toBe(2)
    const first = JSON.parse((await run('new', 'same', '--json')).stdout) as { migration: string; rollback: string }
    await writeFile(join(project.dir, first.migration), 'CREATE TABLE kept (id int);\n')
    // Within the same second the name is the same; a later second makes a new one: either way nothing is lost.
    const second = await run('new', 'same', '--json')
    if (second.code !== 0) {
      expect(JSON.parse(second.stdout)).toMatchObject({ error: { code: 'USAGE' } })
      expect(await files('rollback')).toHaveLength(1)
    }
    expect(await readFile(join(project.dir, first.migration), 'utf8')).toBe('CREATE TABLE kept (id int);\n')
  })
})
