import { describe, expect, it } from 'vitest'
import { assertChecksum, computeChecksum, currentChecksumAlgorithm } from './checksum.js'
import type { ManifestFile } from './manifest.js'
import { codeOf } from '../test-support/code-of.js'

const files: ManifestFile[] = [
  { path: 'migrations/001_users.sql', kind: 'migrations', size: 120, sha256: 'a'.repeat(64), transaction: true },
  { path: 'migrations/002_index.sql', kind: 'migrations', size: 64, sha256: 'b'.repeat(64), transaction: false },
  {
    path: 'migrations/003_enum.sql',
    kind: 'migrations',
    size: 40,
    sha256: 'c'.repeat(64),
    transaction: true,
    commitAfter: true,
  },
  { path: 'rollback/001_users.sql', kind: 'rollback', size: 20, sha256: 'd'.repeat(64), transaction: true },
]

describe('computeChecksum', () => {
  it('uses the current algorithm by default', () => {
    expect(currentChecksumAlgorithm).toBe('squizzle-files-v1')
    expect(computeChecksum(files)).toEqual({
      algorithm: 'squizzle-files-v1',
      value: expect.stringMatching(/^[0-9a-f]{64}$/),
    })
  })

  it('keeps squizzle-files-v1 stable for ever (a new formula needs a new id)', () => {
    expect(computeChecksum(files, 'squizzle-files-v1').value).toBe(
      'c7e830de457bc57e62e7b842f08f4497c49b1ac3a8e7abb18ef2f87b5ecb5967',
    )
  })

  it('does not depend on the order of the file list', () => {
    const reversed = [...files].reverse()
    const shuffled = [files[2]!, files[0]!, files[3]!, files[1]!]
    expect(computeChecksum(reversed)).toEqual(computeChecksum(files))
    expect(computeChecksum(shuffled)).toEqual(computeChecksum(files))
  })

  it.each<[string, Partial<ManifestFile>]>([
    ['path', { path: 'migrations/001_users2.sql' }],
    ['size', { size: 121 }],
    ['sha256', { sha256: 'e'.repeat(64) }],
    ['transaction', { transaction: false }],
    ['commitAfter', { commitAfter: true }],
    ['ownTransactionControl', { ownTransactionControl: true }],
  ])('changes when a file’s %s changes', (_field, change) => {
    const altered = files.map((f, i) => (i === 0 ? { ...f, ...change } : f))
    expect(computeChecksum(altered).value).not.toBe(computeChecksum(files).value)
  })

  it('changes when a file is added or removed', () => {
    expect(computeChecksum(files.slice(1)).value).not.toBe(computeChecksum(files).value)
  })

  it('treats commitAfter: false like an absent flag', () => {
    const explicit = files.map((f) => ({ ...f, commitAfter: f.commitAfter ?? false }))
    expect(computeChecksum(explicit)).toEqual(computeChecksum(files))
  })

  it('refuses an unknown algorithm with MANIFEST_INVALID', () => {
    expect(codeOf(() => computeChecksum(files, 'squizzle-files-v99'))).toBe('MANIFEST_INVALID')
  })

  it.each(['constructor', '__proto__', 'valueOf', 'toString', 'hasOwnProperty'])(
    'refuses the inherited property name %j as an algorithm with MANIFEST_INVALID',
    (algorithm) => {
      expect(codeOf(() => computeChecksum(files, algorithm))).toBe('MANIFEST_INVALID')
    },
  )
})

describe('assertChecksum', () => {
  it('accepts the checksum computeChecksum gives', () => {
    expect(() => assertChecksum(files, computeChecksum(files))).not.toThrow()
  })

  it('refuses a file list altered after the checksum was taken with CHECKSUM_MISMATCH', () => {
    const checksum = computeChecksum(files)
    const altered = files.map((f, i) => (i === 1 ? { ...f, transaction: true } : f))
    expect(codeOf(() => assertChecksum(altered, checksum))).toBe('CHECKSUM_MISMATCH')
  })

  it('refuses a checksum naming an unknown algorithm with MANIFEST_INVALID', () => {
    expect(codeOf(() => assertChecksum(files, { algorithm: 'sha1-of-everything', value: '0'.repeat(64) }))).toBe(
      'MANIFEST_INVALID',
    )
  })
})
