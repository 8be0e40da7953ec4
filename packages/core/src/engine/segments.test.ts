import { describe, expect, it } from 'vitest'
import type { FileKind, ManifestFile } from '../manifest/manifest.js'
import { planSegments } from './segments.js'

function file(path: string, flags: { transaction?: boolean; commitAfter?: boolean } = {}): ManifestFile {
  const kind = path.split('/')[0] as FileKind
  return {
    path,
    kind,
    size: 1,
    sha256: '0'.repeat(64),
    transaction: flags.transaction ?? true,
    ...(flags.commitAfter ? { commitAfter: true } : {}),
  }
}

const paths = (segments: ReturnType<typeof planSegments>): [boolean, string[]][] =>
  segments.map((s) => [s.transactional, s.files.map((f) => f.path)])

describe('planSegments', () => {
  it('puts consecutive transactional files of a version in one transaction', () => {
    const files = [
      file('drizzle/0000.sql'),
      file('migrations/001.sql'),
      file('migrations/002.sql'),
      file('seed/001.sql'),
    ]
    expect(paths(planSegments(files, 'version'))).toEqual([
      [true, ['drizzle/0000.sql', 'migrations/001.sql', 'migrations/002.sql', 'seed/001.sql']],
    ])
  })

  it('runs a non-transactional file alone, between the transactions around it', () => {
    const files = [
      file('migrations/001.sql'),
      file('migrations/002.sql', { transaction: false }),
      file('migrations/003.sql'),
      file('migrations/004.sql'),
    ]
    expect(paths(planSegments(files, 'version'))).toEqual([
      [true, ['migrations/001.sql']],
      [false, ['migrations/002.sql']],
      [true, ['migrations/003.sql', 'migrations/004.sql']],
    ])
  })

  it('gives two adjacent non-transactional files a segment each', () => {
    const files = [
      file('migrations/001.sql', { transaction: false }),
      file('migrations/002.sql', { transaction: false }),
    ]
    expect(paths(planSegments(files, 'version'))).toEqual([
      [false, ['migrations/001.sql']],
      [false, ['migrations/002.sql']],
    ])
  })

  it('closes the transaction after a file marked commitAfter', () => {
    const files = [
      file('migrations/001.sql'),
      file('migrations/002_enum.sql', { commitAfter: true }),
      file('migrations/003_use.sql'),
    ]
    expect(paths(planSegments(files, 'version'))).toEqual([
      [true, ['migrations/001.sql', 'migrations/002_enum.sql']],
      [true, ['migrations/003_use.sql']],
    ])
  })

  it('never includes rollback files', () => {
    const files = [
      file('migrations/001.sql'),
      file('rollback/001.sql'),
      file('migrations/002.sql', { transaction: false }),
      file('rollback/002.sql', { transaction: false }),
    ]
    const segments = planSegments(files, 'version')
    expect(segments.flatMap((s) => s.files).some((f) => f.kind === 'rollback')).toBe(false)
    expect(paths(segments)).toEqual([
      [true, ['migrations/001.sql']],
      [false, ['migrations/002.sql']],
    ])
  })

  it('gives every file its own segment with scope file', () => {
    const files = [
      file('migrations/001.sql'),
      file('migrations/002.sql', { transaction: false }),
      file('migrations/003.sql'),
      file('seed/001.sql'),
      file('rollback/001.sql'),
    ]
    expect(paths(planSegments(files, 'file'))).toEqual([
      [true, ['migrations/001.sql']],
      [false, ['migrations/002.sql']],
      [true, ['migrations/003.sql']],
      [true, ['seed/001.sql']],
    ])
  })

  it('returns no segments for a version with only rollback files, or none', () => {
    expect(planSegments([file('rollback/001.sql')], 'version')).toEqual([])
    expect(planSegments([], 'file')).toEqual([])
  })

  it('plans only rollback files when asked for that kind, in the order given', () => {
    const files = [
      file('migrations/001.sql'),
      file('rollback/002.sql'),
      file('rollback/001.sql', { transaction: false }),
    ]
    const segments = planSegments(files, 'version', ['rollback'])
    expect(segments.map((s) => [s.transactional, s.files.map((f) => f.path)])).toEqual([
      [true, ['rollback/002.sql']],
      [false, ['rollback/001.sql']],
    ])
  })
})
