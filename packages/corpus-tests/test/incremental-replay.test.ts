import { copyFile, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildVersion, type SnapshotOptions, type SquizzleEvent } from '@squizzle/core'
import { validateConfig } from '@squizzle/core/config'
import { openReplayServer, openScratchDatabase } from '@squizzle/driver-postgres'
import { createFilesystemStorage } from '@squizzle/storage-filesystem'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'

// A real history (crates.io: 292 files, some outside a transaction) cut into versions and built
// twice with the same SOURCE_DATE_EPOCH: once replaying every version at each build, once from
// the replayed state the build before kept. Byte-identical bundles have the same digest.

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url))
const versionCount = 5
const env = { SOURCE_DATE_EPOCH: '1700000000' }

describe('the crates-io corpus, built with incremental snapshot replays', () => {
  let work: string
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'squizzle-corpus-incremental-'))
  })
  afterAll(async () => {
    await rm(work, { recursive: true, force: true })
  })

  /** Builds the history in `versionCount` versions into `dir`; the digests, and the events of each build. */
  async function buildHistory(dir: string, snapshot: SnapshotOptions) {
    const source = here('../fixtures/crates-io/migrations')
    const configText = await readFile(here('../configs/crates-io.squizzle.config.json'), 'utf8')
    const config = validateConfig(JSON.parse(configText), 'crates-io.squizzle.config.json')
    const files = (await readdir(source)).filter((n) => n.endsWith('.sql')).sort()
    const migrations = join(dir, 'migrations')
    await mkdir(migrations, { recursive: true })
    const storage = createFilesystemStorage(join(dir, 'artifacts'))
    const per = Math.ceil(files.length / versionCount)
    const digests: string[] = []
    const events: SquizzleEvent[][] = []
    for (let v = 0; v < versionCount; v++) {
      for (const name of files.slice(v * per, (v + 1) * per)) await copyFile(join(source, name), join(migrations, name))
      const present = new Set(files.slice(0, (v + 1) * per).map((n) => `migrations/${n}`))
      const seen: SquizzleEvent[] = []
      const { ref } = await buildVersion({
        version: `${v + 1}.0.0`,
        storage,
        ledger: join(dir, 'squizzle.sum'),
        folders: { migrations },
        toolVersion: 'corpus-test',
        irreversible: true,
        noTransaction: (config.noTransaction ?? []).filter((p) => present.has(p)),
        snapshot,
        events: (e) => seen.push(e),
        env,
      })
      digests.push(ref.digest)
      events.push(seen)
    }
    return { digests, events }
  }

  it('records byte-identical bundles, replaying only the new version at each build', async () => {
    const server = inject('postgresUrl')
    const full = await buildHistory(join(work, 'full'), { scratch: () => openScratchDatabase({ devUrl: server }) })
    const replay = openReplayServer({ devUrl: server })
    let incremental: Awaited<ReturnType<typeof buildHistory>>
    try {
      incremental = await buildHistory(join(work, 'incremental'), { scratch: replay.scratch, cache: replay.cache! })
    } finally {
      await replay.close()
    }
    expect(incremental.digests).toEqual(full.digests)
    const outcomes = incremental.events.map((seen) =>
      seen.flatMap((e) => (e.type === 'replay.cache' ? [`${e.outcome} ${e.version}`] : [])),
    )
    expect(outcomes).toEqual([
      ['kept 1.0.0'],
      ['reused 1.0.0', 'kept 2.0.0'],
      ['reused 2.0.0', 'kept 3.0.0'],
      ['reused 3.0.0', 'kept 4.0.0'],
      ['reused 4.0.0', 'kept 5.0.0'],
    ])
    const steps = incremental.events.map((seen) => seen.filter((e) => e.type === 'replay.step').length)
    expect(steps).toEqual([1, 1, 1, 1, 1])
  })
})
