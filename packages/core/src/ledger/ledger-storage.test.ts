import { createHash } from 'node:crypto'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { codeOf } from '../test-support/code-of.js'
import type { Ledger } from './ledger.js'
import { assertMatchesStorage, compareWithStorage } from './ledger-storage.js'
import { checkRepository } from './repository-files.js'

const sha = (text: string): string => createHash('sha256').update(text).digest('hex')
const digest = (c: string): string => `sha256:${c.repeat(64)}`

const file = (path: string, sql: string) => ({ path, sha256: sha(sql) })
const ledger: Ledger = {
  versions: [
    {
      version: '1.0.0',
      digest: digest('a'),
      previousVersion: null,
      files: [file('migrations/001_a.sql', 'CREATE TABLE a ();')],
    },
    {
      version: '1.1.0',
      digest: digest('b'),
      previousVersion: '1.0.0',
      files: [file('migrations/002_b.sql', 'CREATE TABLE b ();')],
    },
  ],
}
const names = { file: 'db/squizzle.sum', storage: 'file:.squizzle/artifacts' }

describe('the ledger against the storage', () => {
  it('agrees with a storage that holds some or none of its versions (a fresh clone)', () => {
    expect(compareWithStorage(ledger, [])).toEqual([])
    expect(compareWithStorage(ledger, [{ version: '1.0.0', digest: digest('a'), created: null }])).toEqual([])
  })

  it('refuses a version stored as another artifact (LEDGER_MISMATCH) and one it lacks (LEDGER_INCOMPLETE)', () => {
    const other = [{ version: '1.1.0', digest: digest('c'), created: null }]
    const mismatch = { kind: 'digest-mismatch', version: '1.1.0', ledger: digest('b'), stored: digest('c') }
    expect(compareWithStorage(ledger, other)).toEqual([mismatch])
    expect(codeOf(() => assertMatchesStorage(ledger, other, names))).toBe('LEDGER_MISMATCH')
    const newer = [{ version: '1.2.0', digest: digest('d'), created: null }]
    expect(codeOf(() => assertMatchesStorage(ledger, newer, names))).toBe('LEDGER_INCOMPLETE')
  })
})

describe('the ledger against the repository', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'squizzle-ledger-'))
    await mkdir(join(dir, 'migrations'))
  })
  afterEach(() => rm(dir, { recursive: true, force: true }))

  it('names every released file that is missing or changed', async () => {
    const check = () => checkRepository(ledger, { migrations: join(dir, 'migrations') })
    await writeFile(join(dir, 'migrations', '001_a.sql'), 'CREATE TABLE a ();')
    expect(await check()).toEqual([{ kind: 'file-missing', version: '1.1.0', path: 'migrations/002_b.sql' }])
    await writeFile(join(dir, 'migrations', '002_b.sql'), 'CREATE TABLE b (id int);')
    expect(await check()).toMatchObject([{ kind: 'file-modified', version: '1.1.0', path: 'migrations/002_b.sql' }])
    await writeFile(join(dir, 'migrations', '002_b.sql'), 'CREATE TABLE b ();')
    expect(await check()).toEqual([])
  })
})
