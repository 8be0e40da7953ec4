import { execFile } from 'node:child_process'
import { copyFile, cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { createTestDatabase, query } from '@squizzle/testkit'
import { drizzle } from 'drizzle-orm/postgres-js'
import { migrate } from 'drizzle-orm/postgres-js/migrator'
import postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'

const example = fileURLToPath(new URL('..', import.meta.url))
const bin = join(dirname(createRequire(import.meta.url).resolve('@squizzle/cli/package.json')), 'dist', 'bin.js')
const versions = ['1.0.0', '1.1.0', '1.2.0']
let work: string

async function squizzle(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    // Builds replay on the test server, as on a CI with a development server (SQUIZZLE_DEV_URL):
    // a fresh database each, rather than a PostgreSQL server started for every build.
    const base = { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp', NO_COLOR: '1' }
    const replayOn = { SQUIZZLE_DEV_URL: inject('postgresUrl') }
    const options = { cwd: work, env: { ...base, ...replayOn, ...env } }
    const r = await promisify(execFile)(process.execPath, [bin, ...args], options)
    return { code: 0, ...r }
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string }
    return { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
}

/** The public schema as the catalogs describe it: what must match between the two migrators. */
async function schemaOf(
  url: string,
): Promise<{ columns: unknown[]; constraints: unknown[]; indexes: unknown[]; enums: unknown[]; sequences: unknown[] }> {
  return {
    columns: await query(
      url,
      `SELECT table_name, column_name, data_type, character_maximum_length, is_nullable, column_default
      FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, column_name`,
    ),
    constraints: await query(
      url,
      `SELECT c.conrelid::regclass::text AS "table", c.conname, c.contype, pg_get_constraintdef(c.oid) AS def
      FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = 'public' ORDER BY 1, 2`,
    ),
    indexes: await query(
      url,
      `SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1, 2`,
    ),
    enums: await query(
      url,
      `SELECT t.typname, array_agg(e.enumlabel ORDER BY e.enumsortorder)::text AS labels
      FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = 'public' GROUP BY 1 ORDER BY 1`,
    ),
    sequences: await query(
      url,
      `SELECT sequence_name, data_type FROM information_schema.sequences WHERE sequence_schema = 'public' ORDER BY 1`,
    ),
  }
}

beforeAll(async () => {
  // Inside the example, so the project's own drizzle-kit and drizzle-orm resolve from its node_modules.
  await mkdir(join(example, '.work'), { recursive: true })
  work = await mkdtemp(join(example, '.work', 'run-'))
  await copyFile(join(example, 'drizzle.config.ts'), join(work, 'drizzle.config.ts'))
  await copyFile(join(example, 'squizzle.config.yaml'), join(work, 'squizzle.config.yaml'))
  await mkdir(join(work, 'src'))
  await mkdir(join(work, 'db', 'rollback'), { recursive: true })
})
afterAll(async () => {
  await rm(work, { recursive: true, force: true })
})

describe('examples/with-drizzle', () => {
  it('builds three versions with the real drizzle-kit, each bundling only its new files', async () => {
    for (const [i, version] of versions.entries()) {
      await cp(join(example, 'schema-versions', `${version}.ts`), join(work, 'src', 'schema.ts'))
      // The first build generates the SQL and names the rollback file it pairs with; it stores nothing.
      const missing = await squizzle(['build', version, '--json'])
      expect(missing.code).toBe(1)
      const { error } = JSON.parse(missing.stdout) as {
        error: { code: string; details: { missing: { migration: string; rollback: string }[] } }
      }
      expect(error.code).toBe('ROLLBACK_MISSING')
      const [wanted] = error.details.missing
      expect(wanted?.migration).toMatch(new RegExp(`^drizzle/000${i}_[a-z_]+\\.sql$`))
      await cp(join(example, 'rollback-sql', `${version}.sql`), join(work, 'db', wanted!.rollback))
      const r = await squizzle(['build', version, '--json'])
      expect(r.stderr).toBe('')
      expect(r.code).toBe(0)
      const files = (JSON.parse(r.stdout) as { files: { path: string }[] }).files.map((f) => f.path)
      expect(files).toEqual([wanted!.migration, wanted!.rollback])
    }
    const list = JSON.parse((await squizzle(['list', '--json'])).stdout) as { versions: { version: string }[] }
    expect(list.versions.map((v) => v.version)).toEqual(versions)
  })

  it('applies them to a schema equal to what drizzle-orm’s own migrator makes of the same files', async () => {
    const viaSquizzle = await createTestDatabase(inject('postgresUrl'))
    const applied = await squizzle(['apply', '--json'], { DATABASE_URL: viaSquizzle })
    expect(applied.code).toBe(0)
    expect((JSON.parse(applied.stdout) as { applied: string[] }).applied).toEqual(versions)

    const viaDrizzle = await createTestDatabase(inject('postgresUrl'))
    const client = postgres(viaDrizzle, { max: 1, onnotice: () => {} })
    try {
      await migrate(drizzle(client), { migrationsFolder: join(work, 'drizzle') })
    } finally {
      await client.end()
    }
    const expected = await schemaOf(viaDrizzle)
    expect(expected.columns.length).toBeGreaterThan(5)
    expect(await schemaOf(viaSquizzle)).toEqual(expected)

    // Rolling back the last version and applying it again reaches the same schema.
    const before1_2 = await schemaOf(viaSquizzle)
    expect((await squizzle(['rollback', '--yes'], { DATABASE_URL: viaSquizzle })).code).toBe(0)
    expect((await schemaOf(viaSquizzle)).columns).toContainEqual(
      expect.objectContaining({ table_name: 'posts', column_name: 'body' }),
    )
    expect((await squizzle(['apply'], { DATABASE_URL: viaSquizzle })).code).toBe(0)
    expect(await schemaOf(viaSquizzle)).toEqual(before1_2)
  })

  it('fails the build, storing nothing, when drizzle-kit would have to ask whether a column was renamed', async () => {
    // Dropping `body` and adding `summary` in one change: drizzle-kit asks "rename or create?".
    const latest = await readFile(join(example, 'schema-versions', '1.2.0.ts'), 'utf8')
    await writeFile(join(work, 'src', 'schema.ts'), latest.replace("body: text('body'),", "summary: text('summary'),"))
    const r = await squizzle(['build', '1.3.0', '--json'])
    expect(r.code).toBe(1)
    expect((JSON.parse(r.stdout) as { error: { code: string; hint: string } }).error).toMatchObject({
      code: 'DRIZZLE_KIT_FAILED',
      hint: expect.stringContaining('drizzle-kit generate'),
    })
    const list = JSON.parse((await squizzle(['list', '--json'])).stdout) as { versions: { version: string }[] }
    expect(list.versions.map((v) => v.version)).toEqual(versions)
  })
})
