import { copyFile, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  buildVersion,
  checkDrift,
  diffSnapshots,
  Migrator,
  serializeSnapshot,
  versionSnapshot,
  type SchemaSnapshot,
} from '@squizzle/core'
import { validateConfig } from '@squizzle/core/config'
import { openScratchDatabase, PostgresDriver } from '@squizzle/driver-postgres'
import { createFilesystemStorage } from '@squizzle/storage-filesystem'
import { createTestDatabase } from '@squizzle/testkit'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { findPsql, runPsqlFiles } from './psql.js'

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url))
const psql = findPsql()
const inCi = Boolean(process.env['CI'])
if (!psql && !inCi) {
  console.warn(
    '\n*** psql is not installed: SKIPPING the real-world corpus tests (apt-get install postgresql-client). In CI they fail instead. ***\n',
  )
}

/** How many versions each history is cut into, as a team releasing along the way would. */
const versionCount = 5

async function snapshotOf(url: string, use?: (driver: PostgresDriver) => Promise<void>): Promise<SchemaSnapshot> {
  const driver = new PostgresDriver({ url })
  await driver.connect()
  try {
    await use?.(driver)
    return await driver.snapshotSchema()
  } finally {
    await driver.close()
  }
}

/** Diesel's declaration: `NNNN_<name>.metadata.toml` with `run_in_transaction = false` next to the SQL file. */
async function dieselNoTransaction(folder: string): Promise<string[]> {
  const out: string[] = []
  for (const name of (await readdir(folder)).filter((n) => n.endsWith('.metadata.toml')).sort()) {
    if (/^\s*run_in_transaction\s*=\s*false\s*$/m.test(await readFile(join(folder, name), 'utf8')))
      out.push(`migrations/${name.replace(/\.metadata\.toml$/, '.sql')}`)
  }
  return out
}

describe.skipIf(!psql && !inCi).each(['trigger-dev', 'crates-io'])('the %s corpus', (corpus) => {
  const source = here(`../fixtures/${corpus}/migrations`)
  let project: string
  beforeAll(async () => {
    project = await mkdtemp(join(tmpdir(), `squizzle-corpus-${corpus}-`))
  })
  afterAll(async () => {
    await rm(project, { recursive: true, force: true })
  })

  it('gives the same schema applied by Squizzle (built in versions) as applied file by file with psql', async () => {
    if (!psql)
      throw new Error('psql is required in CI (CI is set) but is not installed: apt-get install postgresql-client')
    const server = inject('postgresUrl')
    const config = validateConfig(
      JSON.parse(await readFile(here(`../configs/${corpus}.squizzle.config.json`), 'utf8')),
      `${corpus}.squizzle.config.json`,
    )
    if (corpus === 'crates-io') expect(config.noTransaction).toEqual(await dieselNoTransaction(source))
    // NNNN_ prefixes make byte order, natural order and each tool's own order agree (see SOURCE.md).
    const files = (await readdir(source)).filter((n) => n.endsWith('.sql')).sort()
    const storage = createFilesystemStorage(join(project, 'artifacts'))
    const migrations = join(project, 'migrations')
    await mkdir(migrations)

    // Build: each version adds the next slice of files and records its replayed schema.
    const per = Math.ceil(files.length / versionCount)
    for (let v = 0; v < versionCount; v++) {
      const slice = files.slice(v * per, (v + 1) * per)
      for (const name of slice) await copyFile(join(source, name), join(migrations, name))
      const present = new Set(files.slice(0, (v + 1) * per).map((n) => `migrations/${n}`))
      await buildVersion({
        version: `${v + 1}.0.0`,
        storage,
        ledger: join(project, 'squizzle.sum'),
        folders: { migrations },
        toolVersion: 'corpus-test',
        // The corpora carry forward migrations only.
        irreversible: true,
        noTransaction: (config.noTransaction ?? []).filter((p) => present.has(p)),
        snapshot: { scratch: () => openScratchDatabase({ devUrl: server }) },
      })
    }

    // Apply every version with Squizzle to one fresh database…
    const viaSquizzle = await createTestDatabase(server, 'corpus_sqz')
    const applied = await snapshotOf(viaSquizzle, async (driver) => {
      const result = await new Migrator({ storage, driver, toolVersion: 'corpus-test' }).apply()
      expect(result.applied).toEqual(Array.from({ length: versionCount }, (_, i) => `${i + 1}.0.0`))
      expect((await checkDrift({ storage, driver })).status).toBe('clean')
    })

    // …and the same files with psql, in order, to another.
    const viaPsql = await createTestDatabase(server, 'corpus_psql')
    await runPsqlFiles(psql, viaPsql, source, files)
    const reference = await snapshotOf(viaPsql)

    expect(applied.objects.filter((o) => o.kind === 'table').length).toBeGreaterThan(20)
    expect(diffSnapshots(reference, applied)).toEqual([])
    expect(serializeSnapshot(applied).equals(serializeSnapshot(reference))).toBe(true)
    // The snapshot the last build recorded is the schema both roads reach.
    const recorded = await versionSnapshot(await storage.pull(`${versionCount}.0.0`))
    expect(recorded && diffSnapshots(recorded, reference)).toEqual([])
  })
})
