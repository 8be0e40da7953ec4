import { access, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildVersion, replayVersions, SquizzleError, withCandidate, type ReplayContext } from '@squizzle/core'
import { makeTestVersion } from '@squizzle/core/testing'
import { openScratchDatabase } from '@squizzle/driver-postgres'
import { createFilesystemStorage } from '@squizzle/storage-filesystem'
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'squizzle-replay-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

const scratch = () => openScratchDatabase({ devUrl: inject('postgresUrl') })

describe('replayVersions (the library behind build snapshots)', () => {
  it('applies every version up to the target on an empty database and hands checks the schemas before and after it', async () => {
    const storage = createFilesystemStorage(join(dir, 'artifacts'))
    await storage.push(await makeTestVersion('1.0.0', { 'migrations/001_a.sql': 'CREATE TABLE a (id int);' }))
    const candidate = await makeTestVersion(
      '1.1.0',
      { 'migrations/002_b.sql': 'CREATE TABLE b (id int);' },
      { previousVersion: '1.0.0' },
    )
    const seen: ReplayContext[] = []
    const result = await replayVersions({
      storage: withCandidate(storage, candidate),
      target: '1.1.0',
      scratch,
      toolVersion: 'test',
      checks: [
        async (ctx) => {
          seen.push(ctx)
          expect((await ctx.migrator.status()).current).toBe('1.1.0')
          await ctx.driver.run({ version: '1.1.0', path: 'check.sql', statements: ['DROP TABLE b'] })
          expect((await ctx.snapshot()).objects.map((o) => o.name)).toEqual(ctx.before.objects.map((o) => o.name))
        },
      ],
    })
    expect(result.versions).toEqual(['1.0.0', '1.1.0'])
    expect(seen).toHaveLength(1)
    const tables = (s: { objects: { kind: string; name: string }[] }) =>
      s.objects.filter((o) => o.kind === 'table').map((o) => o.name)
    expect([seen[0]!.previous, tables(seen[0]!.before), tables(seen[0]!.after)]).toEqual([
      '1.0.0',
      ['public.a'],
      ['public.a', 'public.b'],
    ])
    expect(tables(result.snapshot)).toEqual(['public.a', 'public.b'])
  })

  it('stores nothing when a check fails, and the check’s error reaches the caller', async () => {
    const storage = createFilesystemStorage(join(dir, 'artifacts'))
    const folder = join(dir, 'migrations')
    await mkdir(folder)
    await writeFile(join(folder, '001_a.sql'), 'CREATE TABLE a (id int);')
    const failing = async (): Promise<void> => {
      throw new SquizzleError('REPLAY_FAILED', 'rollback did not restore the previous schema')
    }
    const err = await buildVersion({
      version: '1.0.0',
      storage,
      ledger: join(dir, 'squizzle.sum'),
      folders: { migrations: folder },
      toolVersion: 'test',
      irreversible: true,
      snapshot: { scratch, checks: [failing] },
    }).catch((e: unknown) => e)
    expect((err as SquizzleError).code).toBe('REPLAY_FAILED')
    expect(await storage.list()).toEqual([])
    // Nothing stored, nothing released: the ledger is not written either.
    expect(
      await access(join(dir, 'squizzle.sum')).then(
        () => true,
        () => false,
      ),
    ).toBe(false)
  })

  it('gives a read-only view: the candidate cannot be pushed through it', async () => {
    const storage = createFilesystemStorage(join(dir, 'artifacts'))
    const candidate = await makeTestVersion('1.0.0')
    const view = withCandidate(storage, candidate)
    expect((await view.list()).map((v) => v.version)).toEqual(['1.0.0'])
    expect(await view.push(candidate).catch((e: { code: string }) => e.code)).toBe('STORAGE_UNSUPPORTED')
    expect(await storage.exists('1.0.0')).toBe(false)
  })
})
