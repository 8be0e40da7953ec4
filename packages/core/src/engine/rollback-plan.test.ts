import { describe, expect, it } from 'vitest'
import type { HistoryEntry } from '../driver/database-driver.js'
import { codeOf } from '../test-support/code-of.js'
import type { HistoryState } from './history-state.js'
import { selectRollback } from './rollback-plan.js'

function state(...versions: string[]): HistoryState {
  const applied = versions.map(
    (version, i) => ({ id: i + 1, operation: 'apply', version, status: 'success' }) as HistoryEntry,
  )
  return { applied, current: versions.at(-1) ?? null, failed: [], baseline: null }
}

const selected = (s: HistoryState, to?: string) => selectRollback(s, to).map((e) => e.version)

describe('selectRollback', () => {
  it('undoes only the current version by default', () => {
    expect(selected(state('1.0.0', '1.1.0', '1.2.0'))).toEqual(['1.2.0'])
  })

  it('undoes every applied version above --to, newest first', () => {
    expect(selected(state('1.0.0', '1.1.0', '1.2.0', '1.10.0'), '1.1.0')).toEqual(['1.10.0', '1.2.0'])
  })

  it('undoes everything with a --to below the oldest version, and nothing with --to at the current one', () => {
    expect(selected(state('1.0.0', '1.1.0'), '0.0.0')).toEqual(['1.1.0', '1.0.0'])
    expect(selected(state('1.0.0', '1.1.0'), '1.1.0')).toEqual([])
  })

  it('refuses when nothing is applied (NOTHING_TO_ROLL_BACK), and an invalid --to (VERSION_INVALID)', () => {
    expect(codeOf(() => selectRollback(state(), undefined))).toBe('NOTHING_TO_ROLL_BACK')
    expect(codeOf(() => selectRollback(state('1.0.0'), 'latest'))).toBe('VERSION_INVALID')
  })
})
