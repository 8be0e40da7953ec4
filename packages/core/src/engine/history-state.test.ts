import { describe, expect, it } from 'vitest'
import type { HistoryEntry } from '../driver/database-driver.js'
import { deriveState } from './history-state.js'

let nextId = 1
function entry(
  operation: HistoryEntry['operation'],
  version: string,
  status: HistoryEntry['status'] = 'success',
  digest: string | null = `sha256:${version}`,
): HistoryEntry {
  const at = new Date(Date.UTC(2024, 0, 1, 0, 0, nextId))
  return {
    id: nextId++,
    operation,
    version,
    status,
    manifestDigest: digest,
    checksum: null,
    manifest: null,
    actor: 'ci',
    host: 'runner',
    toolVersion: '0.1.0',
    startedAt: at,
    finishedAt: at,
    durationMs: 0,
    databaseUser: 'app',
    error: status === 'failed' ? { code: 'MIGRATION_FAILED', message: 'boom' } : null,
  }
}

const versions = (entries: HistoryEntry[]): string[] => entries.map((e) => e.version)

describe('deriveState', () => {
  it('has nothing applied for an empty history', () => {
    expect(deriveState([])).toEqual({ applied: [], current: null, failed: [], baseline: null })
  })

  it('counts applied versions and makes the newest current', () => {
    const state = deriveState([entry('apply', '1.0.0'), entry('apply', '1.1.0')])
    expect(versions(state.applied)).toEqual(['1.0.0', '1.1.0'])
    expect(state.current).toBe('1.1.0')
  })

  it('does not count a version applied then rolled back', () => {
    const state = deriveState([entry('apply', '1.0.0'), entry('apply', '1.1.0'), entry('rollback', '1.1.0')])
    expect(versions(state.applied)).toEqual(['1.0.0'])
    expect(state.current).toBe('1.0.0')
    expect(deriveState([entry('apply', '1.0.0'), entry('rollback', '1.0.0')]).current).toBeNull()
  })

  it('counts a version applied again after its rollback, with the new row', () => {
    const history = [
      entry('apply', '1.0.0', 'success', 'sha256:first'),
      entry('rollback', '1.0.0'),
      entry('apply', '1.0.0', 'success', 'sha256:second'),
    ]
    const again = history[2]
    const state = deriveState(history)
    expect(state.applied).toEqual([again])
  })

  it('keeps a version applied when its rollback failed', () => {
    const state = deriveState([entry('apply', '1.0.0'), entry('rollback', '1.0.0', 'failed')])
    expect(state.current).toBe('1.0.0')
    expect(versions(state.failed)).toEqual(['1.0.0'])
  })

  it('counts a baseline as applied', () => {
    const state = deriveState([entry('baseline', '3.2.0', 'success', null), entry('apply', '3.3.0')])
    expect(versions(state.applied)).toEqual(['3.2.0', '3.3.0'])
    expect(state.current).toBe('3.3.0')
  })

  it('remembers the newest baseline, which a later rollback of another version keeps', () => {
    const state = deriveState([entry('baseline', '3.2.0'), entry('apply', '3.3.0'), entry('rollback', '3.3.0')])
    expect(state.baseline).toBe('3.2.0')
    expect(state.current).toBe('3.2.0')
  })

  it('counts a version rolled back, then applied again, as applied and clears the rollback failure in between', () => {
    const state = deriveState([
      entry('apply', '1.0.0'),
      entry('rollback', '1.0.0', 'failed'),
      entry('rollback', '1.0.0'),
      entry('apply', '1.0.0'),
    ])
    expect(versions(state.applied)).toEqual(['1.0.0'])
    expect(state.failed).toEqual([])
  })

  it('reports a failed run until a later success of the same version clears it', () => {
    const failed = entry('apply', '1.1.0', 'failed')
    const pending = deriveState([entry('apply', '1.0.0'), failed])
    expect(pending.failed).toEqual([failed])
    expect(pending.current).toBe('1.0.0')
    const cleared = deriveState([entry('apply', '1.0.0'), failed, entry('apply', '1.1.0')])
    expect(cleared.failed).toEqual([])
    expect(cleared.current).toBe('1.1.0')
  })

  it('does not count a failed apply of the artifact already applied (a run that lost the race)', () => {
    const state = deriveState([entry('apply', '1.0.0'), entry('apply', '1.0.0', 'failed')])
    expect(state.failed).toEqual([])
    expect(versions(state.applied)).toEqual(['1.0.0'])
    // Another artifact under the same version, or a failed rollback, still counts.
    const otherArtifact = deriveState([entry('apply', '1.0.0'), entry('apply', '1.0.0', 'failed', 'sha256:other')])
    expect(versions(otherArtifact.failed)).toEqual(['1.0.0'])
    const failedRollback = deriveState([entry('apply', '1.0.0'), entry('rollback', '1.0.0', 'failed')])
    expect(versions(failedRollback.failed)).toEqual(['1.0.0'])
  })

  it('clears a failure with a repair, which does not apply the version', () => {
    const state = deriveState([entry('apply', '1.1.0', 'failed'), entry('repair', '1.1.0')])
    expect(state.failed).toEqual([])
    expect(state.applied).toEqual([])
  })

  it('keeps a failure of one version when another version succeeds', () => {
    const state = deriveState([entry('apply', '1.1.0', 'failed'), entry('apply', '1.0.0')])
    expect(versions(state.failed)).toEqual(['1.1.0'])
  })

  it('replays rows by id, whatever order they are given in', () => {
    const apply = entry('apply', '1.0.0')
    const rollback = entry('rollback', '1.0.0')
    expect(deriveState([rollback, apply]).applied).toEqual([])
  })

  it('orders applied versions by semver, not by when they ran', () => {
    const state = deriveState([entry('apply', '1.10.0'), entry('apply', '1.2.0'), entry('apply', '1.2.0-rc.1')])
    expect(versions(state.applied)).toEqual(['1.2.0-rc.1', '1.2.0', '1.10.0'])
    expect(state.current).toBe('1.10.0')
  })
})
