import type { DatabaseDriver } from '../driver/database-driver.js'
import type { Remedy } from '../errors/remedy.js'
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
  /** The first file of the open transaction: all of it rolls back on failure, and a new run starts there. */
  transactionFrom: string | null
}

/** The database's state after a failed run, as data (`--json`) and as a sentence. */
export interface LeftState {
  committed: 'nothing' | 'partial' | 'unknown'
  /** Where running again continues (`statement` is 1-based), when earlier steps are kept. */
  resumeAt: { path: string; statement: number | null } | null
  text: string
}

/**
 * What earlier runs of this version (this operation's files only) finished; refuses
 * progress recorded for another artifact under the same version.
 *
 * @example
 * ```ts
 * const resume = await readResume(driver, '1.2.0', digest, 'apply')
 * ```
 */
export async function readResume(
  driver: DatabaseDriver,
  version: string,
  digest: string,
  operation: RunOperation,
): Promise<Resume> {
  const rows = (await driver.records.progress(version)).filter((r) => ownsPath(operation, r.path))
  const foreign = rows.find((r) => r.manifestDigest !== digest)
  if (foreign) {
    const recorded = foreign.manifestDigest
    const message = `version ${version} was partly applied from ${recorded}, but storage now holds ${digest}`
    throw new SquizzleError('RESUME_MISMATCH', message, {
      hint:
        'The stored version changed after a partial run. Restore the original artifact, ' +
        'or undo the partial state by hand and repair the version, restarting it (its progress is forgotten).',
      remedies: [{ operation: 'repair', args: [version], options: { mode: 'restart' } }],
      details: { version, recorded: foreign.manifestDigest, stored: digest },
    })
  }
  const doneFiles = new Set<string>()
  const doneStatements = new Map<string, number>()
  for (const row of rows) {
    if (row.statement === null) doneFiles.add(row.path)
    else doneStatements.set(row.path, Math.max(row.statement, doneStatements.get(row.path) ?? -1))
  }
  return { doneFiles, doneStatements }
}

/** Rollback runs own the `rollback/` files' progress rows; apply runs own the others. */
function ownsPath(operation: RunOperation, path: string): boolean {
  return (operation === 'rollback') === path.startsWith('rollback/')
}

/**
 * A new trace for a run that has not started.
 *
 * @example
 * ```ts
 * const trace = newTrace('apply', manifest, await readResume(driver, manifest.version, digest, 'apply'))
 * ```
 */
export function newTrace(operation: RunOperation, manifest: Manifest, resume: Resume): RunTrace {
  return { operation, manifest, resume, committed: false, at: null, transactionFrom: null }
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
    const text =
      `the COMMIT of ${subject} was sent but its outcome is unknown: ` +
      "the database's status shows whether it took effect"
    return { committed: 'unknown', resumeAt: null, text }
  }
  const { resume } = trace
  if (!trace.committed && resume.doneFiles.size === 0 && resume.doneStatements.size === 0) {
    return { committed: 'nothing', resumeAt: null, text: `nothing of ${subject} was committed` }
  }
  if (trace.transactionFrom !== null) {
    const from = trace.transactionFrom
    const text =
      `earlier steps of ${subject} are committed; its transaction from ${from} was rolled back, ` +
      'and running again resumes there'
    return { committed: 'partial', resumeAt: { path: from, statement: null }, text }
  }
  const at = trace.at
  if (!at || at.statement === null) {
    return { committed: 'partial', resumeAt: null, text: `earlier steps of ${subject} are committed and recorded` }
  }
  const n = at.statement + 1
  const text =
    `the statements of ${at.path} before statement ${n} are committed; ` +
    `running again resumes at statement ${n} (line ${at.line ?? '?'})`
  return { committed: 'partial', resumeAt: { path: at.path, statement: n }, text }
}

// Failures that are about the run, not its SQL, and a check's verdict (the schema after a
// rollback): they keep their code (and exit code) instead of being wrapped.
const ownCodes = ['LOCK_LOST', 'CONNECTION_LOST', 'VERSION_CLAIMED', 'ROLLBACK_INCOMPLETE', 'CANCELLED'] as const

function isOwnCode(code: string): code is (typeof ownCodes)[number] {
  return (ownCodes as readonly string[]).includes(code)
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
  const failure = isSquizzleError(err) ? err : null
  const at = trace.at
  const position = at?.statement === null || !at ? {} : { statement: at.statement + 1, line: at.line }
  const where = at ? { path: at.path, ...position } : {}
  const details = {
    ...failure?.details,
    version: trace.manifest.version,
    operation: trace.operation,
    ...where,
    ...extra,
    committed: state.committed,
    resumeAt: state.resumeAt,
    // Committed steps are recorded as progress: running again continues after them.
    resumable: state.committed === 'partial',
  }
  if (failure && isOwnCode(failure.code)) {
    const { hint, remedies } = failure
    const cause = failure.cause ?? err
    return new SquizzleError(failure.code, `${failure.message}; ${state.text}`, { hint, remedies, cause, details })
  }
  const apply = trace.operation === 'apply'
  const subject = apply ? `version ${trace.manifest.version}` : `rollback of ${trace.manifest.version}`
  const code = apply ? 'MIGRATION_FAILED' : 'ROLLBACK_FAILED'
  return new SquizzleError(code, `${subject} failed: ${located(trace, err)}`, {
    ...failedHint(trace, state),
    cause: err,
    details,
  })
}

/** The failure's message, prefixed with `path:line (statement n)` inside a non-transactional file. */
function located(trace: RunTrace, err: unknown): string {
  const plain = err instanceof Error ? err.message : String(err)
  const message = isSquizzleError(err) ? err.message : `${trace.manifest.version}: ${plain}`
  const at = trace.at
  if (!at || at.statement === null || message.startsWith(`${at.path}:`)) return message
  return `${at.path}:${at.line} (statement ${at.statement + 1}): ${message}`
}

function failedHint(trace: RunTrace, state: LeftState): { hint: string; remedies: Remedy[] } {
  const { version } = trace.manifest
  const again = trace.operation === 'apply' ? 'apply' : 'rollback'
  if (state.committed === 'partial') {
    const hint =
      `Files before the failure ran and are recorded (${state.text}). ` +
      `Fix the cause, then run ${again} again: it resumes where it stopped (or repair the failed run).`
    return { hint, remedies: [{ operation: again }, { operation: 'repair', args: [version] }] }
  }
  if (state.committed === 'unknown') {
    return { hint: `${state.text}. Check the status before anything else.`, remedies: [{ operation: 'status' }] }
  }
  if (trace.operation === 'rollback') {
    const hint =
      `Nothing of the rollback was kept: the database is as it was before and ${version} is still applied. ` +
      'Fix the cause and run rollback again.'
    return { hint, remedies: [{ operation: 'rollback' }] }
  }
  const hint =
    `Nothing of version ${version} was kept: the database is as it was before. ` +
    'Fix the cause and run apply again; drift detection lists objects the database holds that its current ' +
    'version does not expect (e.g. left by an incomplete rollback). Squizzle never changes a released version: ' +
    'if its SQL is wrong, make the database meet what it expects or, if no database has applied it, remove it ' +
    "from storage with the storage's own tools and build a corrected one."
  return { hint, remedies: [{ operation: 'apply' }, { operation: 'drift' }] }
}
