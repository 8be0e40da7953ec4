import { chmod, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { query } from '@squizzle/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startEmbeddedPostgres, type EmbeddedServer } from '../src/embedded.js'
import { openReplayServer } from '../src/index.js'

// Kept replayed states on a server of this file's own: the shared test server's roles change
// whenever another file creates one, which (by design) hides every state kept before.

let server: EmbeddedServer
beforeAll(async () => {
  server = await startEmbeddedPostgres({ durable: false })
})
afterAll(async () => {
  await server.stop()
})

const tables = async (url: string, database: string) => {
  const inside = new URL(url)
  inside.pathname = `/${database}`
  const sql = "SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public'"
  const rows = await query<{ t: string }>(inside.toString(), sql)
  return rows.map((r) => r.t)
}
const nameOf = (label: string) => label.split(' ')[1]!

describe('openReplayServer', () => {
  it('keeps a scratch database as a state that takes no connections and restores copies of it', async () => {
    const replay = openReplayServer({ devUrl: server.url })
    try {
      const scratch = await replay.scratch()
      await scratch.driver.run({ version: '1.0.0', path: 'a.sql', statements: ['CREATE TABLE a (id int)'] })
      expect(await replay.cache!.keep(scratch, 'key one')).toBe(true)
      const kept = await query<{ datname: string; datallowconn: boolean }>(
        server.url,
        "SELECT datname, datallowconn FROM pg_database WHERE datname LIKE 'squizzle\\_replay\\_kept\\_%'",
      )
      const named = expect.stringMatching(/^squizzle_replay_kept_[0-9a-f]{24}_[0-9a-f]{12}$/) as string
      expect(kept).toEqual([{ datname: named, datallowconn: false }])
      const restored = await replay.cache!.restore('key one')
      if (!('scratch' in restored)) throw new Error(restored.missing)
      expect(await tables(server.url, nameOf(restored.scratch.label))).toEqual(['a'])
      await restored.scratch.dispose()
      const nothing = expect.stringMatching(/^nothing is kept for it on .* \(PostgreSQL \d+\)$/) as string
      expect(await replay.cache!.restore('key two')).toEqual({ missing: nothing })
      // A role is seen by every database of the server: one created since hides the state.
      await query(server.url, 'CREATE ROLE replay_test_role')
      const rolesChanged = expect.stringMatching(/roles changed/) as string
      expect(await replay.cache!.restore('key one')).toEqual({ missing: rolesChanged })
      await query(server.url, 'DROP ROLE replay_test_role')
      expect('scratch' in (await replay.cache!.restore('key one'))).toBe(true)
    } finally {
      await replay.close()
    }
  })

  it('leaves a kept cluster another server uses alone and replays on a throwaway server instead', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'squizzle-kept-cluster-'))
    // As root the embedded server runs as user postgres, which must reach the cluster's folder.
    await chmod(dir, 0o755)
    const first = openReplayServer({ keepDir: join(dir, 'replay') })
    const second = openReplayServer({ keepDir: join(dir, 'replay') })
    try {
      const scratch = await first.scratch()
      expect(await first.cache!.keep(scratch, 'key')).toBe(true)
      const busy = expect.stringMatching(/cannot be used: another server \(pid \d+\) uses/) as string
      expect(await second.cache!.restore('key')).toEqual({ missing: busy })
      const other = await second.scratch()
      expect(await second.cache!.keep(other, 'key')).toBe(false)
      await other.dispose()
      await first.close()
      // Stopped, the cluster (and its state) is there for the next build.
      const third = openReplayServer({ keepDir: join(dir, 'replay') })
      try {
        const restored = await third.cache!.restore('key')
        expect('scratch' in restored).toBe(true)
        if ('scratch' in restored) await restored.scratch.dispose()
      } finally {
        await third.close()
      }
    } finally {
      await first.close()
      await second.close()
      await rm(dir, { recursive: true, force: true })
    }
  })
})
