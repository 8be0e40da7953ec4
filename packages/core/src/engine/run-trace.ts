import { isSquizzleError, SquizzleError } from '../errors/squizzle-error.js'
import type { Manifest } from '../manifest/manifest.js'

/** What a run is (applying a version, or running its rollback files). */
export type RunOperation = 'apply' | 'rollback'

/** Progress an earlier, interrupted run of the same version left behind. */
export interface Resume {
  doneFiles: Set<string>
  /** Per non-transactional file, the index of its last finished statement. */
  doneStatements: Map<string, number>
}

/** Where a run was and what it had committed: what a failure leaves in the database. */
export interface RunTrace {
  operation: RunOperation
  manifest: Manifest
  resume: Resume
  /** True once this run committed something (a segment, a statement outside a transaction). */
  committed: boolean
  /** The file running, and for a non-transactional file the statement (index) and its line. */
  at: { path: string; statement: number | null; line: number | null } | null
  /** True while a transaction is open: what it holds is rolled back on failure. */
  inTransaction: boolean
}

/** The database's state after a failed run, as data (`--json`) and as a sentence. */
export interface LeftState {
  committed: 'nothing' | 'partial' | 'unknown'
  /** Where running again continues, when earlier steps are kept. */
  resumeAt: { path: string; statement: number | null } | null
  text: string
}

/**
 * What a failure leaves behind: nothing of the version, its committed steps (and
 * where a new run resumes), or an unknown outcome when the COMMIT itself was lost.
 *
 * @example
 * ```ts
 * leftState(trace, err).text // 'nothing of 1.2.0 was committed'
 * ```
 */
export function leftState(trace: RunTrace, err: unknown): LeftState {
  const { version } = trace.manifest
  const subject = trace.operation === 'apply' ? version : `the rollback of ${version}`
  if (isSquizzleError(err) && err.details?.['during'] === 'commit') {
    return { committed: 'unknown', resumeAt: null, text: `the COMMIT of ${subject} was sent but its outcome is unknown: \`squizzle status\` shows whether it took effect` }
  }
  const progressed = trace.committed || trace.resume.doneFiles.size > 0 || trace.resume.doneStatements.size > 0
  if (!progressed) return { committed: 'nothing', resumeAt: null, text: `nothing of ${subject} was committed` }
  const at = trace.at
  if (!at) return { committed: 'partial', resumeAt: null, text: `earlier steps of ${subject} are committed and recorded` }
  if (at.statement === null) {
    return { committed: 'partial', resumeAt: { path: at.path, statement: null }, text: `earlier steps of ${subject} are committed; ${at.path} was rolled back, and running again resumes there` }
  }
  const n = at.statement + 1
  return {
    committed: 'partial',
    resumeAt: { path: at.path, statement: n },
    text: `the statements of ${at.path} before statement ${n} are committed; running again resumes at statement ${n} (line ${at.line ?? '?'})`,
  }
}

/**
 * The error a failed run throws: lost locks, lost connections and versions another
 * run took keep their own codes (with the state left behind); anything else becomes
 * `MIGRATION_FAILED` / `ROLLBACK_FAILED`, naming the file, line and statement.
 *
 * @example
 * ```ts
 * throw runError(trace, err, { recordError })
 * ```
 */
export function runError(trace: RunTrace, err: unknown, extra: Record<string, unknown>): SquizzleError {
  const state = leftState(trace, err)
  const { version } = trace.manifest
  const failure = isSquizzleError(err) ? err : null
  const at = trace.at
  const where = at ? { path: at.path, ...(at.statement === null ? {} : { statement: at.statement + 1, line: at.line }) } : {}
  const details = { ...failure?.details, version, operation: trace.operation, ...where, ...extra, committed: state.committed, resumeAt: state.resumeAt, resumable: state.resumeAt !== null }
  if (failure && (failure.code === 'LOCK_LOST' || failure.code === 'CONNECTION_LOST' || failure.code === 'VERSION_CLAIMED')) {
    return new SquizzleError(failure.code, `${failure.message}; ${state.text}`, { hint: failure.hint, cause: failure.cause ?? err, details })
  }
  const message = failure?.message ?? `${version}: ${err instanceof Error ? err.message : String(err)}`
  const located = at && at.statement !== null && !message.startsWith(`${at.path}:`) ? `${at.path}:${at.line} (statement ${at.statement + 1}): ${message}` : message
  const apply = trace.operation === 'apply'
  return new SquizzleError(apply ? 'MIGRATION_FAILED' : 'ROLLBACK_FAILED', `${apply ? 'version' : 'rollback of'} ${version} failed: ${located}`, {
    hint: failedHint(trace, state),
    cause: err,
    details,
  })
}

function failedHint(trace: RunTrace, state: LeftState): string {
  const { version } = trace.manifest
  const again = trace.operation === 'apply' ? 'apply' : 'rollback'
  if (state.committed === 'partial') {
    return `Files before the failure ran and are recorded (${state.text}). Fix the cause, then run ${again} again: it resumes where it stopped (or see \`squizzle repair\`).`
  }
  if (state.committed === 'unknown') return `${state.text}. Run \`squizzle status\` before anything else.`
  return trace.operation === 'apply'
    ? `Nothing of version ${version} was kept: the database is as it was before. Fix the cause and run apply again; if the SQL itself is wrong, delete this never-applied version from storage and build a corrected one.`
    : `Nothing of the rollback was kept: the database is as it was before and ${version} is still applied. Fix the cause and run rollback again.`
}
