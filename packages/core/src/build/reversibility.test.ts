import { describe, expect, it } from 'vitest'
import type { FileKind, ManifestFile } from '../manifest/manifest.js'
import { codeOf } from '../test-support/code-of.js'
import { checkRollbackPairing, type PairingInput } from './reversibility.js'

const file = (path: string): ManifestFile => ({
  path,
  kind: path.split('/')[0] as FileKind,
  size: 1,
  sha256: '0'.repeat(64),
  transaction: true,
})

function check(paths: string[], options: Partial<PairingInput> = {}) {
  return checkRollbackPairing({
    version: '1.1.0',
    files: paths.map(file),
    irreversible: false,
    required: true,
    releasedIn: () => undefined,
    ...options,
  })
}

function detailsOf(fn: () => unknown): Record<string, unknown> {
  try {
    fn()
  } catch (err) {
    return (err as { details: Record<string, unknown> }).details
  }
  return {}
}

describe('checkRollbackPairing', () => {
  it('accepts a version whose every migration has the rollback file of the same name', () => {
    expect(
      check(['drizzle/0000_init.sql', 'migrations/002_b.sql', 'rollback/0000_init.sql', 'rollback/002_b.sql']),
    ).toEqual({ irreversible: false, unpaired: [] })
  })

  it('names every migration without a rollback file in one ROLLBACK_MISSING', () => {
    const paths = ['migrations/001_a.sql', 'migrations/002_index.sql', 'drizzle/0003_c.sql', 'rollback/001_a.sql']
    expect(codeOf(() => check(paths))).toBe('ROLLBACK_MISSING')
    expect(detailsOf(() => check(paths))['missing']).toEqual([
      { migration: 'migrations/002_index.sql', rollback: 'rollback/002_index.sql' },
      { migration: 'drizzle/0003_c.sql', rollback: 'rollback/0003_c.sql' },
    ])
  })

  it('needs no rollback file for seeds: a version of seeds only stays reversible', () => {
    expect(check(['seed/001_products.sql'])).toEqual({ irreversible: false, unpaired: [] })
    expect(check(['migrations/001_a.sql', 'seed/001_a.sql', 'rollback/001_a.sql'])).toEqual({
      irreversible: false,
      unpaired: [],
    })
  })

  it('refuses a rollback file that pairs with nothing, or only with a seed (ROLLBACK_ORPHANED)', () => {
    expect(codeOf(() => check(['migrations/001_a.sql', 'rollback/001_a.sql', 'rollback/down.sql']))).toBe(
      'ROLLBACK_ORPHANED',
    )
    expect(codeOf(() => check(['seed/001_p.sql', 'rollback/001_p.sql']))).toBe('ROLLBACK_ORPHANED')
  })

  it('refuses a rollback file that matches a drizzle and a hand-written migration of the same name (ROLLBACK_ORPHANED)', () => {
    const paths = ['drizzle/0001_x.sql', 'migrations/0001_x.sql', 'rollback/0001_x.sql']
    expect(codeOf(() => check(paths))).toBe('ROLLBACK_ORPHANED')
    expect(detailsOf(() => check(paths))['orphans']).toEqual([
      { path: 'rollback/0001_x.sql', matches: ['drizzle/0001_x.sql', 'migrations/0001_x.sql'] },
    ])
  })

  it('refuses a rollback file whose migration an earlier version released, naming that version (ROLLBACK_LATE)', () => {
    const releasedIn = (path: string) => (path === 'migrations/001_index.sql' ? '1.0.0' : undefined)
    const paths = ['migrations/002_b.sql', 'rollback/002_b.sql', 'rollback/001_index.sql']
    expect(codeOf(() => check(paths, { releasedIn }))).toBe('ROLLBACK_LATE')
    expect(detailsOf(() => check(paths, { releasedIn }))['late']).toEqual([
      { path: 'rollback/001_index.sql', migration: 'migrations/001_index.sql', version: '1.0.0' },
    ])
    // Also when the version adds nothing else, and also when it is built irreversible.
    expect(codeOf(() => check(['rollback/001_index.sql'], { releasedIn }))).toBe('ROLLBACK_LATE')
    expect(
      codeOf(() => check(['migrations/002_b.sql', 'rollback/001_index.sql'], { releasedIn, irreversible: true })),
    ).toBe('ROLLBACK_LATE')
  })

  it('says when a migration needs a rollback name an earlier version already released', () => {
    const releasedIn = (path: string) => (path === 'rollback/003_c.sql' ? '1.0.0' : undefined)
    expect(detailsOf(() => check(['migrations/003_c.sql'], { releasedIn }))['missing']).toEqual([
      { migration: 'migrations/003_c.sql', rollback: 'rollback/003_c.sql', releasedIn: '1.0.0' },
    ])
  })

  it('builds an irreversible version without rollback files, and refuses rollback SQL in one (USAGE)', () => {
    expect(check(['migrations/001_a.sql', 'migrations/002_b.sql'], { irreversible: true })).toEqual({
      irreversible: true,
      unpaired: [],
    })
    expect(codeOf(() => check(['migrations/001_a.sql', 'rollback/001_a.sql'], { irreversible: true }))).toBe('USAGE')
  })

  it('with required: false, lets migrations go without rollback file and makes a version without any irreversible', () => {
    expect(check(['migrations/001_a.sql', 'migrations/002_b.sql', 'rollback/001_a.sql'], { required: false })).toEqual({
      irreversible: false,
      unpaired: ['migrations/002_b.sql'],
    })
    expect(check(['migrations/001_a.sql', 'migrations/002_b.sql'], { required: false })).toEqual({
      irreversible: true,
      unpaired: ['migrations/001_a.sql', 'migrations/002_b.sql'],
    })
    // Pairing mistakes are refused whatever the setting.
    expect(codeOf(() => check(['migrations/001_a.sql', 'rollback/01_a.sql'], { required: false }))).toBe(
      'ROLLBACK_ORPHANED',
    )
  })
})
