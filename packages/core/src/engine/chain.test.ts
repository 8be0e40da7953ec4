import { describe, expect, it } from 'vitest'
import type { HistoryEntry } from '../driver/database-driver.js'
import { errorCategory } from '../errors/error-codes.js'
import type { Manifest } from '../manifest/manifest.js'
import { chainBreaks, unchainedError, type ChainCandidate } from './chain.js'
import type { HistoryState } from './history-state.js'

const digest = (v: string): string => `sha256:${Buffer.from(v).toString('hex').padEnd(64, '0')}`

function applied(...versions: string[]): HistoryState {
  const entries = versions.map((version, i) => {
    const entry = { id: i + 1, operation: 'apply', version, status: 'success', manifestDigest: digest(version) }
    return entry as HistoryEntry
  })
  return { applied: entries, current: entries.at(-1)?.version ?? null, failed: [], baseline: null }
}

interface BuiltOn {
  previousDigest?: string | null
  /** Built before the chain: no previousDigest at all. */
  legacy?: boolean
}

/** A pending version built on `previous`, with the digest the database recorded for it unless told otherwise. */
function version(v: string, previous: string | null, options: BuiltOn = {}): ChainCandidate {
  const manifest = { version: v, previousVersion: previous } as Manifest
  const recorded = previous === null ? null : digest(previous)
  if (!options.legacy) manifest.previousDigest = 'previousDigest' in options ? options.previousDigest! : recorded
  return { manifest, digest: digest(v) }
}

const broken = (pending: ChainCandidate[], state: HistoryState, allowOutOfOrder = false): string[] =>
  chainBreaks(pending, state, allowOutOfOrder).map((b) => b.version)

describe('chainBreaks', () => {
  it('accepts a first version on an empty database and each version built on the one before it', () => {
    const line = [version('1.0.0', null), version('1.1.0', '1.0.0'), version('1.2.0', '1.1.0')]
    expect(broken(line, applied())).toEqual([])
    expect(broken([version('1.2.0', '1.1.0')], applied('1.0.0', '1.1.0'))).toEqual([])
  })

  it('refuses a version built on nothing when the database has versions: the fresh-clone rebundle', () => {
    const breaks = chainBreaks([version('1.7.0', null)], applied('1.5.0', '1.6.0'), false)
    expect(breaks).toEqual([
      {
        version: '1.7.0',
        builtOn: { version: null, digest: null },
        database: { version: '1.6.0', digest: digest('1.6.0') },
      },
    ])
  })

  it('refuses a first version built on something when the database is empty', () => {
    expect(broken([version('1.1.0', '1.0.0')], applied())).toEqual(['1.1.0'])
  })

  it('refuses a version built on the right version number but another artifact of it', () => {
    const other = version('1.2.0', '1.1.0', { previousDigest: digest('another 1.1.0') })
    expect(broken([other], applied('1.0.0', '1.1.0'))).toEqual(['1.2.0'])
  })

  it('checks bundles from before the chain (no previousDigest) by version only', () => {
    expect(broken([version('1.2.0', '1.1.0', { legacy: true })], applied('1.0.0', '1.1.0'))).toEqual([])
    expect(broken([version('1.2.0', null, { legacy: true })], applied('1.0.0', '1.1.0'))).toEqual(['1.2.0'])
  })

  it('refuses a version whose predecessor was skipped (a gap), even later in the same run', () => {
    expect(broken([version('1.3.0', '1.2.0')], applied('1.0.0', '1.1.0'))).toEqual(['1.3.0'])
    expect(broken([version('1.2.0', '1.1.0'), version('1.4.0', '1.3.0')], applied('1.1.0'))).toEqual(['1.4.0'])
  })

  it("chains a version to one applied earlier in the same run, by that run's digest", () => {
    const first = version('1.2.0', '1.1.0')
    expect(broken([first, version('1.3.0', '1.2.0', { previousDigest: first.digest })], applied('1.1.0'))).toEqual([])
    const onAnother = version('1.3.0', '1.2.0', { previousDigest: digest('other') })
    expect(broken([first, onAnother], applied('1.1.0'))).toEqual(['1.3.0'])
  })

  it('skips versions older than the current one only when out-of-order is allowed; newer ones are checked', () => {
    const pending = [version('1.5.0', null), version('2.1.0', '2.0.0')]
    expect(broken(pending, applied('1.0.0', '2.0.0'), true)).toEqual([])
    expect(broken(pending, applied('1.0.0', '2.0.0'), false)).toEqual(['1.5.0'])
    expect(broken([version('2.1.0', null)], applied('1.0.0', '2.0.0'), true)).toEqual(['2.1.0'])
  })

  it('checks an out-of-order version against the newest version below it, when not allowed to skip it', () => {
    expect(broken([version('1.5.0', '1.0.0')], applied('1.0.0', '2.0.0'))).toEqual([])
  })

  it('accepts a predecessor recorded without a digest by version', () => {
    const state = applied('1.0.0')
    state.applied[0]!.manifestDigest = null
    expect(broken([version('1.1.0', '1.0.0')], state)).toEqual([])
  })
})

describe('unchainedError', () => {
  it('is an integrity error (exit 3) naming what the bundle was built on and what the database has', () => {
    const [b] = chainBreaks([version('1.7.0', null)], applied('1.6.0'), false)
    const err = unchainedError(b!)
    expect(err.code).toBe('UNCHAINED_VERSION')
    expect(errorCategory(err.code)).toBe('integrity')
    expect(err.message).toContain('1.7.0')
    expect(err.message).toContain('1.6.0')
    expect(err.details).toMatchObject({ version: '1.7.0', builtOn: { version: null }, database: { version: '1.6.0' } })
  })
})
