import { describe, expect, it } from 'vitest'
import type { VersionInfo } from '../storage/artifact-storage.js'
import type { HistoryState } from './history-state.js'
import type { HistoryEntry } from '../driver/database-driver.js'
import { computePlan } from './plan.js'
import { codeOf } from '../test-support/code-of.js'

const stored = (...versions: string[]): VersionInfo[] =>
  versions.map((version) => ({ version, digest: `sha256:${version}`, created: null }))

function applied(...versions: (string | [string, string | null])[]): HistoryState {
  const entries = versions.map((v, i) => {
    const [version, digest] = typeof v === 'string' ? [v, `sha256:${v}`] : v
    return { id: i + 1, operation: 'apply', version, status: 'success', manifestDigest: digest } as HistoryEntry
  })
  return { applied: entries, current: entries.at(-1)?.version ?? null, failed: [], baseline: null }
}

const pending = (plan: { pending: VersionInfo[] }): string[] => plan.pending.map((v) => v.version)

describe('computePlan', () => {
  it('plans every stored version not applied, in semver order, up to the latest', () => {
    const plan = computePlan({
      stored: stored('1.10.0', '1.2.0', '1.0.0', '2.0.0-rc.1', '1.1.0'),
      state: applied('1.0.0'),
    })
    expect(pending(plan)).toEqual(['1.1.0', '1.2.0', '1.10.0', '2.0.0-rc.1'])
    expect(plan.current).toBe('1.0.0')
    expect(plan.target).toBe('2.0.0-rc.1')
  })

  it('stops at the target', () => {
    const plan = computePlan({ stored: stored('1.0.0', '1.1.0', '1.2.0', '1.10.0'), state: applied(), target: '1.2.0' })
    expect(pending(plan)).toEqual(['1.0.0', '1.1.0', '1.2.0'])
    expect(plan.target).toBe('1.2.0')
  })

  it('plans nothing when everything is applied, or storage is empty', () => {
    expect(pending(computePlan({ stored: stored('1.0.0', '1.1.0'), state: applied('1.0.0', '1.1.0') }))).toEqual([])
    expect(computePlan({ stored: [], state: applied() })).toEqual({
      current: null,
      target: null,
      pending: [],
      tampered: [],
    })
  })

  it('accepts a target that is applied but no longer stored', () => {
    const plan = computePlan({ stored: stored('1.1.0'), state: applied('1.0.0'), target: '1.0.0' })
    expect(pending(plan)).toEqual([])
  })

  it('refuses a target that is neither stored nor applied (TARGET_NOT_FOUND)', () => {
    expect(
      codeOf(() => computePlan({ stored: stored('1.0.0', '1.1.0'), state: applied('1.0.0'), target: '1.5.0' })),
    ).toBe('TARGET_NOT_FOUND')
  })

  it('refuses a never-applied version older than the current one (OUT_OF_ORDER)', () => {
    const input = { stored: stored('1.0.0', '1.1.0', '1.2.0', '1.3.0'), state: applied('1.0.0', '1.2.0') }
    expect(codeOf(() => computePlan(input))).toBe('OUT_OF_ORDER')
  })

  it('plans an older never-applied version when allowOutOfOrder is set', () => {
    const plan = computePlan({
      stored: stored('1.0.0', '1.1.0', '1.2.0', '1.3.0'),
      state: applied('1.0.0', '1.2.0'),
      allowOutOfOrder: true,
    })
    expect(pending(plan)).toEqual(['1.1.0', '1.3.0'])
  })

  it('does not call a newer version out of order', () => {
    expect(pending(computePlan({ stored: stored('1.0.0', '1.1.0'), state: applied('1.0.0') }))).toEqual(['1.1.0'])
  })

  it('reports applied versions whose stored digest differs from the applied one as tampered', () => {
    const plan = computePlan({
      stored: stored('1.0.0', '1.1.0', '1.2.0'),
      state: applied(['1.0.0', 'sha256:old'], '1.1.0'),
    })
    expect(plan.tampered).toEqual([{ version: '1.0.0', applied: 'sha256:old', stored: 'sha256:1.0.0' }])
    expect(pending(plan)).toEqual(['1.2.0'])
  })

  it('does not report a baseline without a digest as tampered', () => {
    const plan = computePlan({ stored: stored('1.0.0'), state: applied(['1.0.0', null]) })
    expect(plan.tampered).toEqual([])
  })

  it('never plans stored versions at or below a baseline', () => {
    const state = { ...applied(['1.1.0', 'sha256:1.1.0']), baseline: '1.1.0' }
    expect(pending(computePlan({ stored: stored('1.0.0', '1.1.0', '1.2.0'), state }))).toEqual(['1.2.0'])
  })

  it('plans a rolled-back version again', () => {
    expect(pending(computePlan({ stored: stored('1.0.0', '1.1.0'), state: applied('1.0.0') }))).toEqual(['1.1.0'])
  })
})
