import type { BundleLimits } from '../bundle/limits.js'
import type { BundleFile } from '../bundle/bundle-reader.js'
import type { DatabaseDriver, DriverTransaction, HistoryEntryInput } from '../driver/database-driver.js'
import { hasErrorCode, isSquizzleError, type SquizzleError } from '../errors/squizzle-error.js'
import type { EventSink } from '../events/events.js'
import type { Manifest, ManifestFile } from '../manifest/manifest.js'
import type { Actor } from './actor.js'
import { cancelled, throwIfCancelled } from './cancellation.js'
import { nextFile, runTransactionalFile } from './run-files.js'
import { runStatementByStatement } from './run-statements.js'
import { newTrace, readResume, runError, type RunOperation, type RunTrace } from './run-trace.js'
import type { Segment } from './segments.js'

export { fromMemory } from './run-files.js'
export type { RunOperation } from './run-trace.js'

export interface VersionRunContext {
  driver: DatabaseDriver
  events: EventSink
  actor: Actor
  toolVersion: string
  limits?: Partial<BundleLimits> | undefined
  /** Stops the run at the next safe point, and cancels the statement running (see `RunOptions.signal`). */
  signal?: AbortSignal | undefined
}

/** One run of one version: its segments and, in the same order, the files they hold. */
export interface SegmentJob {
  operation: RunOperation
  manifest: Manifest
  digest: string
  segments: Segment[]
  /** Files of the version deliberately not run (seeds in an environment without them), for the history row. */
  skippedFiles?: string[]
  /** Yields (at least) the segments' files, in segment order, each verified. */
  files: AsyncGenerator<BundleFile, void, undefined>
  /**
   * Runs just before the success row is written, in the same transaction; it
   * may read the files `files` still holds after the segments' ones.
   */
  beforeSuccess?: (tx: DriverTransaction) => Promise<void>
}

/** One run of one version, as the steps below share it. */
interface VersionRun {
  ctx: VersionRunContext
  job: SegmentJob
  startedAt: Date
  trace: RunTrace
}

/**
 * Runs one verified version's segments and records the outcome as a history
 * row of `job.operation`: a failed transactional segment leaves nothing behind;
 * finished segments and statements of non-transactional files are recorded as
 * progress so that a retry resumes after them.
 *
 * Exactly once, even if the lock fails: the version's last transaction marks it
 * applied (a rollback: unmarks it) as its first statement, under a unique
 * constraint, and proves the lock held as its last; a version that commits
 * several times claims itself before the first. Every other transaction proves
 * the lock before COMMIT, and every statement outside one before it runs.
 * Callers hold the migration lock and have verified the files.
 *
 * @example
 * ```ts
 * await runSegments(ctx, { operation: 'apply', manifest, digest, segments, files })
 * ```
 */
export async function runSegments(ctx: VersionRunContext, job: SegmentJob): Promise<void> {
  const { manifest, digest, segments, operation } = job
  const resume = await readResume(ctx.driver, manifest.version, digest, operation)
  const run: VersionRun = { ctx, job, startedAt: new Date(), trace: newTrace(operation, manifest, resume) }
  const files = segments.reduce((n, s) => n + s.files.length, 0)
  const type = operation === 'apply' ? 'version.start' : 'rollback.start'
  ctx.events({ type, version: manifest.version, digest, files })
  let claimed = false
  try {
    // Several commits before the last: the version is claimed first, so no other run starts it meanwhile.
    if (operation === 'apply' && (segments.length > 1 || segments.some((s) => !s.transactional))) {
      await ctx.driver.records.claimVersion({ version: manifest.version, manifestDigest: digest, operation: 'apply' })
      claimed = true
    }
    await runAll(run)
  } catch (err) {
    // A statement the signal cancelled fails as a database error; the run was cancelled, not broken.
    const failure = ctx.signal?.aborted && !hasErrorCode(err, 'CANCELLED') ? cancelled(where(run), err) : err
    throw await failRun(run, failure, claimed)
  } finally {
    await job.files.return()
  }
  const durationMs = Date.now() - run.startedAt.getTime()
  ctx.events({ type: operation === 'apply' ? 'version.done' : 'rollback.done', version: manifest.version, durationMs })
}

async function runAll(run: VersionRun): Promise<void> {
  const { segments } = run.job
  if (segments.length === 0) await commitVersion(run, [])
  for (const [i, segment] of segments.entries()) {
    throwIfCancelled(run.ctx.signal, segment.files[0]?.path ?? 'the next step')
    const last = i === segments.length - 1
    if (segment.transactional && last) await commitVersion(run, segment.files)
    else if (segment.transactional) await runTransaction(run, segment.files)
    else {
      await runNonTransactionalFile(run, segment.files[0]!)
      if (last) await commitVersion(run, [])
    }
  }
}

/** A transactional segment before the last one: its files, their progress, the lock proven before COMMIT. */
async function runTransaction(run: VersionRun, files: ManifestFile[]): Promise<void> {
  openTransaction(run, files)
  await run.ctx.driver.transaction(async (tx) => {
    await runFiles(run, tx, files)
    await tx.assertLockHeld()
  })
  closeTransaction(run, files)
}

/**
 * The version's last transaction: the applied mark first (so a second run waits
 * here, then fails), the files, the success row (which ends the run: its progress
 * rows go), and the lock proven just before COMMIT.
 */
async function commitVersion(run: VersionRun, files: ManifestFile[]): Promise<void> {
  const { job } = run
  const { version } = job.manifest
  openTransaction(run, files)
  await run.ctx.driver.transaction(async (tx) => {
    if (job.operation === 'apply')
      await tx.records.claimVersion({ version, manifestDigest: job.digest, operation: 'apply' })
    else await tx.records.releaseVersion(version)
    await runFiles(run, tx, files)
    await job.beforeSuccess?.(tx)
    await tx.records.addHistory(historyEntry(run, 'success', null))
    await tx.records.clearProgress(version)
    await tx.assertLockHeld()
  })
  closeTransaction(run, files)
}

function openTransaction(run: VersionRun, files: ManifestFile[]): void {
  const pending = files.find((f) => !run.trace.resume.doneFiles.has(f.path))
  run.trace.transactionFrom = pending?.path ?? null
  const paths = files.map((f) => f.path)
  if (files.length > 0) run.ctx.events({ type: 'transaction.begin', version: run.job.manifest.version, files: paths })
}

function closeTransaction(run: VersionRun, files: ManifestFile[]): void {
  run.trace.transactionFrom = null
  run.trace.committed = true
  run.trace.at = null
  if (files.length > 0) run.ctx.events({ type: 'transaction.commit', version: run.job.manifest.version })
}

async function runFiles(run: VersionRun, tx: DriverTransaction, files: ManifestFile[]): Promise<void> {
  const { ctx, job, trace } = run
  const { manifest } = job
  for (const file of files) {
    const { content } = await nextFile(job.files, file)
    if (trace.resume.doneFiles.has(file.path)) {
      const reason = `${file.path} already ${job.operation === 'apply' ? 'applied' : 'rolled back'}`
      ctx.events({ type: 'version.skip', version: manifest.version, reason })
      continue
    }
    trace.at = { path: file.path, statement: null, line: null }
    await runTransactionalFile(tx, ctx.events, manifest, file, content, ctx.signal)
    if (job.segments.length > 1) {
      const progress = { version: manifest.version, manifestDigest: job.digest, path: file.path, statement: null }
      await tx.records.addProgress(progress)
    }
  }
}

async function runNonTransactionalFile(run: VersionRun, file: ManifestFile): Promise<void> {
  const { ctx, job, trace } = run
  const { content } = await nextFile(job.files, file)
  if (trace.resume.doneFiles.has(file.path)) return
  const lastDone = trace.resume.doneStatements.get(file.path) ?? -1
  const { driver, events } = ctx
  const { manifest, digest } = job
  await runStatementByStatement({
    driver,
    events,
    manifest,
    digest,
    file,
    content,
    lastDone,
    trace,
    signal: ctx.signal,
  })
}

/** Records the failed run (unless another run took the version) and says what the database now holds. */
async function failRun(run: VersionRun, err: unknown, claimed: boolean): Promise<SquizzleError> {
  const { ctx, job } = run
  const { version } = job.manifest
  const failure = isSquizzleError(err) ? err : null
  const extra: Record<string, string> = {}
  const note = (key: string, problem: string | undefined) => {
    if (problem !== undefined) extra[key] = problem
  }
  // A lost session takes its claim with it; after any other failure the claim is given up, for a later run.
  if (claimed && failure?.code !== 'CONNECTION_LOST') {
    note('releaseError', await attempt(() => ctx.driver.records.releaseVersion(version)))
  }
  const message = failure?.message ?? (err instanceof Error ? err.message : String(err))
  const inner = { code: failure?.code ?? 'DATABASE_ERROR', message }
  // A version another run applied was never this run's: a failed row would read as an unresolved failure.
  if (failure?.code !== 'VERSION_CLAIMED') {
    note('recordError', await attempt(() => ctx.driver.records.addHistory(historyEntry(run, 'failed', inner))))
  }
  const error = runError(run.trace, err, extra)
  const resumable = error.details?.['resumable'] === true
  const { operation } = job
  ctx.events({ type: 'version.failed', version, code: inner.code, message: inner.message, resumable, operation })
  return error
}

/** Where a run was when it was cancelled, for the message. */
function where(run: VersionRun): string {
  const at = run.trace.at
  if (!at) return `during ${run.job.manifest.version}`
  return at.statement === null ? `while running ${at.path}` : `at statement ${at.statement + 1} of ${at.path}`
}

/** Runs `fn`; its failure as text, or undefined (bookkeeping after a failure must not replace the failure). */
async function attempt(fn: () => Promise<void>): Promise<string | undefined> {
  try {
    await fn()
    return undefined
  } catch (e) {
    return e instanceof Error ? e.message : String(e)
  }
}

type Outcome = 'success' | 'failed'

function historyEntry(run: VersionRun, status: Outcome, error: HistoryEntryInput['error']): HistoryEntryInput {
  const { manifest, digest, operation } = run.job
  return {
    operation,
    version: manifest.version,
    status,
    manifestDigest: digest,
    checksum: manifest.checksum.value,
    manifest,
    actor: run.ctx.actor.user,
    host: run.ctx.actor.host,
    toolVersion: run.ctx.toolVersion,
    startedAt: run.startedAt,
    finishedAt: new Date(),
    error,
    ...(run.job.skippedFiles?.length ? { skippedFiles: run.job.skippedFiles } : {}),
  }
}
