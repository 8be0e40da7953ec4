import type { DatabaseDriver, HistoryEntryInput, MigrationUnit } from '../driver/database-driver.js'
import { isSquizzleError, SquizzleError } from '../errors/squizzle-error.js'
import type { EventSink } from '../events/events.js'
import type { BundleLimits } from '../bundle/limits.js'
import type { BundleFile } from '../bundle/bundle-reader.js'
import type { Manifest, ManifestFile } from '../manifest/manifest.js'
import { analyzeSql, runnableStatements } from '../sql/analyze-sql.js'
import { chunkScript } from '../sql/chunk-script.js'
import type { Actor } from './actor.js'
import { runStatementByStatement } from './run-statements.js'
import { runError, type Resume, type RunOperation, type RunTrace } from './run-trace.js'
import type { Segment } from './segments.js'

export interface VersionRunContext {
  driver: DatabaseDriver
  events: EventSink
  actor: Actor
  toolVersion: string
  limits?: Partial<BundleLimits> | undefined
}

export type { RunOperation } from './run-trace.js'

/** One run of one version: its segments and, in the same order, the files they hold. */
export interface SegmentJob {
  operation: RunOperation
  manifest: Manifest
  digest: string
  segments: Segment[]
  /** Yields (at least) the segments' files, in segment order, each verified. */
  files: AsyncGenerator<BundleFile, void, undefined>
  /**
   * Runs just before the success row is written, in the same transaction; it
   * may read the files `files` still holds after the segments' ones.
   */
  beforeSuccess?: (tx: DatabaseDriver) => Promise<void>
}

/**
 * Runs one verified version's segments and records the outcome as a history
 * row of `job.operation`: a failed transactional segment leaves nothing behind;
 * finished segments and statements of non-transactional files are recorded as
 * progress so that a retry resumes after them.
 *
 * Exactly once, even if the lock fails: the version's last transaction marks it
 * applied (or, for a rollback, unmarks it) as its first statement, under a unique
 * constraint, and proves the lock still held as its last one; a version of several
 * steps claims itself before the first. Callers hold the migration lock and have
 * verified the files.
 *
 * @example
 * ```ts
 * await runSegments(ctx, { operation: 'apply', manifest, digest, segments, files })
 * ```
 */
export async function runSegments(ctx: VersionRunContext, job: SegmentJob): Promise<void> {
  const { manifest, digest, segments, operation } = job
  const startedAt = new Date()
  const resume = await readResume(ctx.driver, manifest.version, digest, operation)
  const run: VersionRun = { ctx, job, startedAt, trace: { operation, manifest, resume, committed: false, at: null, inTransaction: false } }
  const fileCount = segments.reduce((n, s) => n + s.files.length, 0)
  ctx.events(operation === 'apply'
    ? { type: 'version.start', version: manifest.version, digest, files: fileCount }
    : { type: 'rollback.start', version: manifest.version, digest, files: fileCount })
  let claimed = false
  try {
    // Several commits before the last: the version is claimed first, so no other run starts it meanwhile.
    if (operation === 'apply' && (segments.length > 1 || segments.some((s) => !s.transactional))) {
      await ctx.driver.claimVersion({ version: manifest.version, manifestDigest: digest, operation: 'apply' })
      claimed = true
    }
    if (segments.length === 0) await commitVersion(run, [])
    for (const [i, segment] of segments.entries()) {
      if (segment.transactional) await runTransaction(run, segment, i === segments.length - 1)
      else {
        await runNonTransactionalFile(run, segment)
        if (i === segments.length - 1) await commitVersion(run, [])
      }
    }
  } catch (err) {
    throw await failRun(run, err, claimed)
  } finally {
    await job.files.return()
  }
  ctx.events(operation === 'apply'
    ? { type: 'version.done', version: manifest.version, durationMs: Date.now() - startedAt.getTime() }
    : { type: 'rollback.done', version: manifest.version, durationMs: Date.now() - startedAt.getTime() })
}

/** One run of one version, as the steps below share it. */
interface VersionRun {
  ctx: VersionRunContext
  job: SegmentJob
  startedAt: Date
  trace: RunTrace
}

/** A transactional segment; the last one also marks the version and records its success. */
async function runTransaction(run: VersionRun, segment: Segment, last: boolean): Promise<void> {
  const { ctx, job, trace } = run
  const { manifest } = job
  if (last) {
    await commitVersion(run, segment.files)
    return
  }
  ctx.events({ type: 'transaction.begin', version: manifest.version, files: segment.files.map((f) => f.path) })
  trace.inTransaction = true
  await ctx.driver.transaction(async (tx) => {
    await runFiles(run, tx, segment.files)
    await tx.assertLockHeld()
  })
  closeTransaction(run)
}

/**
 * The version's last transaction: the applied mark first (so a second run waits
 * here, then fails), the files, the success row, and the lock proven just before COMMIT.
 */
async function commitVersion(run: VersionRun, files: ManifestFile[]): Promise<void> {
  const { ctx, job, trace } = run
  const { manifest, digest } = job
  if (files.length > 0) ctx.events({ type: 'transaction.begin', version: manifest.version, files: files.map((f) => f.path) })
  trace.inTransaction = true
  await ctx.driver.transaction(async (tx) => {
    if (job.operation === 'apply') await tx.claimVersion({ version: manifest.version, manifestDigest: digest, operation: 'apply' })
    else await tx.releaseVersion(manifest.version)
    await runFiles(run, tx, files)
    await job.beforeSuccess?.(tx)
    await tx.record(historyEntry(run, 'success', null))
    await tx.assertLockHeld()
  })
  if (files.length > 0) closeTransaction(run)
  else trace.inTransaction = false
}

async function runFiles(run: VersionRun, tx: DatabaseDriver, files: ManifestFile[]): Promise<void> {
  const { ctx, job, trace } = run
  const { manifest, digest } = job
  for (const file of files) {
    const { content } = await nextFile(job.files, file)
    if (trace.resume.doneFiles.has(file.path)) {
      ctx.events({ type: 'version.skip', version: manifest.version, reason: `${file.path} already ${job.operation === 'apply' ? 'applied' : 'rolled back'}` })
      continue
    }
    trace.at = { path: file.path, statement: null, line: null }
    await runTransactionalFile(tx, ctx.events, manifest, file, content)
    if (job.segments.length > 1) await tx.recordProgress({ version: manifest.version, manifestDigest: digest, path: file.path, statement: null })
  }
}

function closeTransaction(run: VersionRun): void {
  run.trace.inTransaction = false
  run.trace.committed = true
  run.trace.at = null
  run.ctx.events({ type: 'transaction.commit', version: run.job.manifest.version })
}

async function runNonTransactionalFile(run: VersionRun, segment: Segment): Promise<void> {
  const { ctx, job, trace } = run
  const file = segment.files[0]!
  const { content } = await nextFile(job.files, file)
  if (trace.resume.doneFiles.has(file.path)) return
  const lastDone = trace.resume.doneStatements.get(file.path) ?? -1
  await runStatementByStatement({ driver: ctx.driver, events: ctx.events, manifest: job.manifest, digest: job.digest, file, content, lastDone, trace })
}

/** Records the failed run (unless another run took the version) and says what the database now holds. */
async function failRun(run: VersionRun, err: unknown, claimed: boolean): Promise<SquizzleError> {
  const { ctx, job, trace } = run
  const failure = isSquizzleError(err) ? err : null
  const extra: Record<string, unknown> = {}
  // A lost session takes its claim with it; any other failure gives the claim up, so a later run can take it.
  if (claimed && failure?.code !== 'CONNECTION_LOST') extra['releaseError'] = await attempt(() => ctx.driver.releaseVersion(job.manifest.version))
  const inner = { code: failure?.code ?? 'DATABASE_ERROR', message: failure?.message ?? (err instanceof Error ? err.message : String(err)) }
  // A version another run applied was never this run's: a failed row would read as an unresolved failure.
  if (failure?.code !== 'VERSION_CLAIMED') extra['recordError'] = await attempt(() => ctx.driver.record(historyEntry(run, 'failed', inner)))
  for (const key of Object.keys(extra)) if (extra[key] === undefined) delete extra[key]
  const error = runError(trace, err, extra)
  const resumable = error.details?.['resumable'] === true
  ctx.events({ type: 'version.failed', version: job.manifest.version, code: inner.code, message: inner.message, resumable, operation: job.operation })
  return error
}

async function attempt(fn: () => Promise<void>): Promise<string | undefined> {
  try {
    await fn()
    return undefined
  } catch (e) {
    return e instanceof Error ? e.message : String(e)
  }
}

function historyEntry(run: VersionRun, status: 'success' | 'failed', error: HistoryEntryInput['error']): HistoryEntryInput {
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
  }
}

/** Rollback runs own the `rollback/` files' progress rows; apply runs own the others. */
function ownsPath(operation: RunOperation, path: string): boolean {
  return (operation === 'rollback') === path.startsWith('rollback/')
}

async function runTransactionalFile(tx: DatabaseDriver, events: EventSink, manifest: Manifest, file: ManifestFile, content: Buffer): Promise<void> {
  const started = Date.now()
  events({ type: 'file.start', version: manifest.version, path: file.path, transactional: true })
  const text = content.toString('utf8')
  // Files with their own BEGIN/COMMIT run without those statements, inside Squizzle's transaction.
  const script = file.ownTransactionControl ? runnableStatements(await analyzeSql(text, file.path)).map((s) => s.text).join(';\n') : text
  const chunks = chunkScript(script)
  const unit: MigrationUnit =
    chunks.length === 1
      ? { version: manifest.version, path: file.path, statements: [], script, transactional: true }
      : { version: manifest.version, path: file.path, statements: chunks.map((c) => c.text), transactional: true }
  await withFileContext(file, script, (statement) => chunks[statement]?.offset ?? 0, () => tx.run(unit))
  events({ type: 'file.done', version: manifest.version, path: file.path, durationMs: Date.now() - started })
}

async function readResume(driver: DatabaseDriver, version: string, digest: string, operation: RunOperation): Promise<Resume> {
  const rows = (await driver.progress(version)).filter((r) => ownsPath(operation, r.path))
  const foreign = rows.find((r) => r.manifestDigest !== digest)
  if (foreign) {
    throw new SquizzleError('RESUME_MISMATCH', `version ${version} was partly applied from ${foreign.manifestDigest}, but storage now holds ${digest}`, {
      hint: 'The stored version changed after a partial run. Restore the original artifact, or undo the partial state by hand and run `squizzle repair --restart`.',
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

/**
 * Yields files already held in memory, as a bundle stream would.
 *
 * @example
 * ```ts
 * const files = fromMemory(verified.contents)
 * ```
 */
export async function* fromMemory(files: readonly BundleFile[]): AsyncGenerator<BundleFile, void, undefined> {
  yield* files
}

async function nextFile(files: AsyncGenerator<BundleFile>, expected: ManifestFile): Promise<BundleFile> {
  const next = await files.next()
  if (next.done || next.value.file.path !== expected.path) {
    throw new SquizzleError('BUNDLE_CORRUPT', `bundle does not hold ${expected.path} where the manifest puts it`, {
      hint: 'Rebuild the version or restore it from a trusted copy.',
    })
  }
  return next.value
}

/**
 * Adds the file path and line to database errors raised while running a file;
 * `offsetOf(i)` is where the i-th piece sent to the server starts in `script`.
 */
async function withFileContext(file: ManifestFile, script: string, offsetOf: (statement: number) => number, fn: () => Promise<void>): Promise<void> {
  try {
    await fn()
  } catch (err) {
    if (isSquizzleError(err) && err.code === 'DATABASE_ERROR' && typeof err.details?.['position'] === 'number') {
      const statement = typeof err.details['statement'] === 'number' ? err.details['statement'] : 0
      const position = offsetOf(statement) + (err.details['position'] as number)
      const line = countLinesBefore(script, position)
      throw new SquizzleError('DATABASE_ERROR', `${file.path}:${line}: ${err.message}`, {
        hint: err.hint,
        cause: err.cause,
        details: { ...err.details, path: file.path, line },
      })
    }
    if (isSquizzleError(err) && err.code === 'DATABASE_ERROR') {
      throw new SquizzleError('DATABASE_ERROR', `${file.path}: ${err.message}`, { hint: err.hint, cause: err.cause, details: { ...err.details, path: file.path } })
    }
    throw err
  }
}

function countLinesBefore(text: string, position: number): number {
  let line = 1
  for (let i = text.indexOf('\n'); i !== -1 && i < position; i = text.indexOf('\n', i + 1)) line++
  return line
}
