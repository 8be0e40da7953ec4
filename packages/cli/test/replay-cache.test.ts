import { access, chmod } from 'node:fs/promises'
import { join } from 'node:path'
import { startEmbeddedPostgres, type EmbeddedServer } from '@squizzle/driver-postgres/embedded'
import { query, startSystemPostgres } from '@squizzle/testkit'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { squizzle } from './support/cli-process.js'
import { createProject, type TestProject } from './support/project.js'

// The snapshot replay of `build` starts from the kept, proven state of the previous version
// and replays only the new one. Every test replays on a server of its own file (the shared test
// server holds other files' kept states and roles), and pins SOURCE_DATE_EPOCH, so the same SQL
// built incrementally and with a full replay gives byte-identical bundles (same digests).

interface Built {
  digest: string
  snapshot: { sha256: string }
  events: { type: string; outcome?: string; version?: string; reason?: string }[]
}

const epoch = '1700000000'
let server: EmbeddedServer
let projects: TestProject[] = []
beforeAll(async () => {
  server = await startEmbeddedPostgres({ durable: false })
})
afterAll(async () => {
  await server.stop()
})
beforeEach(() => {
  projects = []
})
afterEach(async () => {
  for (const p of projects) await p.remove()
})

/** The versions of the multi-version project: each adds files of every kind a schema has. */
const versions: [string, string, string][] = [
  [
    '1.0.0',
    '001_users.sql',
    [
      "CREATE TYPE status AS ENUM ('active', 'closed');",
      'CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL, legacy text, ' +
        "status status NOT NULL DEFAULT 'active');",
      "INSERT INTO users (email) VALUES ('a@example.com');",
    ].join('\n'),
  ],
  [
    '1.1.0',
    '002_orders.sql',
    [
      'CREATE TABLE orders (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, user_id int REFERENCES users (id),',
      '  total numeric(10, 2) CHECK (total >= 0));',
      'CREATE INDEX orders_user_idx ON orders (user_id);',
    ].join('\n'),
  ],
  [
    '1.2.0',
    '003_view.sql',
    [
      "ALTER TYPE status ADD VALUE 'suspended';",
      "CREATE VIEW active_users AS SELECT id, email FROM users WHERE status = 'active';",
      "COMMENT ON TABLE orders IS 'what users bought';",
    ].join('\n'),
  ],
  [
    '1.3.0',
    '004_trigger.sql',
    [
      'CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS ' +
        '$$ BEGIN NEW.email := lower(NEW.email); RETURN NEW; END $$;',
      'CREATE TRIGGER users_touch BEFORE INSERT ON users FOR EACH ROW EXECUTE FUNCTION touch();',
      'ALTER TABLE users DROP COLUMN legacy;',
    ].join('\n'),
  ],
]

async function project(): Promise<TestProject> {
  const p = await createProject()
  projects.push(p)
  return p
}

async function build(p: TestProject, version: string, devUrl: string, ...flags: string[]): Promise<Built> {
  const env = { SQUIZZLE_DEV_URL: devUrl, SOURCE_DATE_EPOCH: epoch }
  const r = await squizzle(['build', version, '--irreversible', '--json', ...flags], { cwd: p.dir, env })
  expect(r.code, r.stdout + r.stderr).toBe(0)
  return JSON.parse(r.stdout) as Built
}

const cacheEvents = (b: Built) => b.events.filter((e) => e.type === 'replay.cache')
const outcome = (b: Built, which: string) => cacheEvents(b).find((e) => e.outcome === which)

/** Builds `count` versions of the project in `p`, each on `devUrl`. */
async function buildAll(p: TestProject, devUrl: string, count = versions.length, ...flags: string[]): Promise<Built[]> {
  const built: Built[] = []
  for (const [version, name, sql] of versions.slice(0, count)) {
    await p.add('migrations', name, sql)
    built.push(await build(p, version, devUrl, ...flags))
  }
  return built
}

/** The kept states on a server (databases named squizzle_replay_kept_…), newest first. */
const keptOn = (url: string) =>
  query<{ datname: string }>(
    url,
    "SELECT datname FROM pg_database WHERE datname LIKE 'squizzle\\_replay\\_kept\\_%' ORDER BY oid DESC",
  )

/** Runs `sql` inside a kept state, as someone with access to the server could. */
async function tamper(url: string, database: string, sql: string): Promise<void> {
  await query(url, `ALTER DATABASE ${database} WITH ALLOW_CONNECTIONS true`)
  const inside = new URL(url)
  inside.pathname = `/${database}`
  await query(inside.toString(), sql)
  await query(url, `ALTER DATABASE ${database} WITH ALLOW_CONNECTIONS false`)
}

describe('build: incremental snapshot replay', () => {
  it('replays only the new version and records byte-identical bundles to a full replay', async () => {
    const incremental = await buildAll(await project(), server.url)
    const full = await buildAll(await project(), server.url, versions.length, '--no-replay-cache')
    expect(incremental.map((b) => b.digest)).toEqual(full.map((b) => b.digest))
    expect(incremental.map((b) => b.snapshot.sha256)).toEqual(full.map((b) => b.snapshot.sha256))
    // The first build has nothing to reuse; every later one reuses the state of the one before.
    expect(incremental.map((b) => outcome(b, 'reused')?.version ?? null)).toEqual([null, '1.0.0', '1.1.0', '1.2.0'])
    expect(incremental.map((b) => outcome(b, 'kept')?.version)).toEqual(['1.0.0', '1.1.0', '1.2.0', '1.3.0'])
    expect(incremental.every((b) => b.events.filter((e) => e.type === 'replay.step').length === 1)).toBe(true)
    expect(full.flatMap(cacheEvents)).toEqual([])
  })

  it('does not reuse a state when an earlier version changed (another previous digest)', async () => {
    await buildAll(await project(), server.url, 2)
    // The same history, but 1.0.0 released with other SQL: 1.1.0's previous digest differs.
    const changedFirst = 'CREATE TABLE users (id int PRIMARY KEY, email text, nickname text);'
    const other = async (...flags: string[]) => {
      const q = await project()
      await q.add('migrations', versions[0]![1], changedFirst)
      await build(q, '1.0.0', server.url, '--no-replay-cache')
      await q.add('migrations', versions[1]![1], versions[1]![2])
      return build(q, '1.1.0', server.url, ...flags)
    }
    const rebuilt = await other()
    const nothingKept = expect.stringMatching(/nothing is kept for it/) as string
    expect(outcome(rebuilt, 'missed')).toMatchObject({ version: '1.0.0', reason: nothingKept })
    expect(outcome(rebuilt, 'reused')).toBeUndefined()
    expect(rebuilt.digest).toBe((await other('--no-replay-cache')).digest)
  })

  it('detects a kept state changed by hand and falls back to a full replay', async () => {
    const p = await project()
    await buildAll(p, server.url, 2)
    const [newest] = await keptOn(server.url)
    await tamper(server.url, newest!.datname, 'CREATE TABLE sneaky (id int)')
    await p.add('migrations', versions[2]![1], versions[2]![2])
    const tampered = await build(p, '1.2.0', server.url)
    const reason = /^its schema is not the snapshot 1\.1\.0 recorded \(\d+ differences?\)$/
    expect(outcome(tampered, 'missed')?.reason).toMatch(reason)
    expect(outcome(tampered, 'kept')?.version).toBe('1.2.0')
    const full = await buildAll(await project(), server.url, 3, '--no-replay-cache')
    expect(tampered.digest).toBe(full[2]!.digest)
  })

  it('detects a kept history changed by hand', async () => {
    const p = await project()
    await buildAll(p, server.url, 2)
    const [newest] = await keptOn(server.url)
    // The history is append-only by trigger; replica mode is how a superuser gets past it.
    const rewrite = "UPDATE squizzle.history SET manifest_digest = 'sha256:' || repeat('0', 64) WHERE version = '1.0.0'"
    await tamper(server.url, newest!.datname, `SET session_replication_role = replica; ${rewrite}`)
    await p.add('migrations', versions[2]![1], versions[2]![2])
    const tampered = await build(p, '1.2.0', server.url)
    expect(outcome(tampered, 'missed')?.reason).toMatch(/its history does not list the stored versions up to 1\.1\.0/)
  })

  it('keeps states per server: another major version replays in full', async () => {
    const pg15 = await startSystemPostgres('/usr/lib/postgresql/15/bin')
    try {
      const p = await project()
      await buildAll(p, server.url, 2)
      await p.add('migrations', versions[2]![1], versions[2]![2])
      const other = await build(p, '1.2.0', pg15.url)
      expect(outcome(other, 'missed')?.reason).toMatch(/nothing is kept for it on .*\(PostgreSQL 15\)/)
      expect(outcome(other, 'kept')?.version).toBe('1.2.0')
      await p.add('migrations', versions[3]![1], versions[3]![2])
      // Back on 18: the state of 1.2.0 was kept on 15 only.
      const back = await build(p, '1.3.0', server.url)
      expect(outcome(back, 'missed')?.reason).toMatch(/\(PostgreSQL 18\)/)
    } finally {
      await pg15.stop()
    }
  })

  it('keeps the embedded server’s cluster in .squizzle/replay by default', async () => {
    const p = await project()
    // As root the embedded server runs as user postgres, which must reach the project's folder.
    await chmod(p.dir, 0o755)
    const built = await buildAll(p, '', 2)
    expect(outcome(built[1]!, 'reused')?.version).toBe('1.0.0')
    expect(outcome(built[1]!, 'kept')).toMatchObject({ version: '1.1.0' })
    await access(join(p.dir, '.squizzle', 'replay', 'data', 'PG_VERSION'))
  })
})
