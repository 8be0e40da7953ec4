import semver from 'semver'
import type { DatabaseDriver } from '../driver/database-driver.js'
import type { Manifest } from '../manifest/manifest.js'
import type { HistoryState } from './history-state.js'
import type { StatusReport } from './migrator.js'
import type { Plan } from './plan.js'

/** Applied versions, oldest first, as `status` reports them. */
export function appliedRows(state: HistoryState): StatusReport['applied'] {
  return state.applied.map((e) => ({
    version: e.version,
    digest: e.manifestDigest,
    appliedAt: e.finishedAt.toISOString(),
    actor: e.actor,
    operation: e.operation,
    durationMs: e.durationMs,
    notes: e.notes,
    skippedFiles: e.skippedFiles ?? [],
  }))
}

/** Pending versions with their release notes and whether they are older than the current version. */
export function pendingRows(
  plan: Plan,
  state: HistoryState,
  manifests: ReadonlyMap<string, Manifest>,
): StatusReport['pending'] {
  return plan.pending.map((p) => ({
    version: p.version,
    digest: p.digest,
    outOfOrder: state.current !== null && semver.lt(p.version, state.current),
    notes: manifests.get(p.version)?.notes ?? null,
  }))
}

/** Unresolved failed runs; resumable when recorded progress belongs to the failed artifact and operation. */
export async function failedRunRows(driver: DatabaseDriver, state: HistoryState): Promise<StatusReport['failed']> {
  const failed: StatusReport['failed'] = []
  for (const e of state.failed) {
    const progress = await driver.records.progress(e.version)
    failed.push({
      version: e.version,
      operation: e.operation,
      at: e.finishedAt.toISOString(),
      code: e.error?.code ?? 'UNKNOWN',
      message: e.error?.message ?? '',
      resumable: progress.some(
        (p) => p.manifestDigest === e.manifestDigest && (e.operation === 'rollback') === p.path.startsWith('rollback/'),
      ),
    })
  }
  return failed
}
