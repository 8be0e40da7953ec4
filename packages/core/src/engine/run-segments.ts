import type { DatabaseDriver, HistoryEntryInput, MigrationUnit } from '../driver/database-driver.js'
import { isSquizzleError, SquizzleError } from '../errors/squizzle-error.js'
import type { EventSink } from '../events/events.js'
import type { BundleLimits } from '../bundle/limits.js'
import type { BundleFile } from '../bundle/bundle-reader.js'
import type { Manifest, ManifestFile } from '../manifest/manifest.js'
import { analyzeSql, runnableStatements } from '../sql/analyze-sql.js'
import { chunkScript } from '../sql/chunk-script.js'
import type { Actor } from './actor.js'
import type { Segment } from './segments.js'

export interface VersionRunContext {
  driver: DatabaseDriver
  events: EventSink
  actor: Actor
  toolVersion: string
  limits?: Partial<BundleLimits> | undefined
}

/** What a run does: apply a version's files, or run its rollback files. */
export type RunOperation = 'apply' | 'rollback'

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
  beforeSuccess?: (tx: DatabaseDriver) => Promise<void>
}

const words: Record<RunOperation, { done: string; again: string; failed: 'MIGRATION_FAILED' | 'ROLLBACK_FAILED' }> = {
  apply: { done: 'applied', again: 'apply', failed: 'MIGRATION_FAILED' },
  rollback: { done: 'rolled back', again: 'rollback', failed: 'ROLLBACK_FAILED' },
}

/**
 * Runs one verified version's segments and records the outcome as a history
 * row of `job.operation`: a failed transactional segment leaves nothing behind;
 * finished segments and statements of non-transactional files are recorded as
 * progress so that a retry resumes after them.
 *
 * Callers hold the migration lock and have verified the files.
 *
 * @example
 * ```ts
 * await runSegments(ctx, { operation: 'apply', manifest, digest, segments, files })
 * ```
 */
export async function runSegments(ctx: VersionRunContext, job: SegmentJob): Promise<void> {
  const { manifest, digest, segments, files, operation } = job
  const { driver, events } = ctx
  const startedAt = new Date()
  const resume = await readResume(driver, manifest.version, digest, operation)
  const entry = (status: 'success' | 'failed', error: HistoryEntryInput['error']): HistoryEntryInput => ({
    operation,
    version: manifest.version,
    status,
    manifestDigest: digest,
    checksum: manifest.checksum.value,
    manifest,
    actor: ctx.actor.user,
    host: ctx.actor.host,
    toolVersion: ctx.toolVersion,
    startedAt,
    finishedAt: new Date(),
    error,
    ...(job.skippedFiles?.length ? { skippedFiles: job.skippedFiles } : {}),
  })
  const succeed = async (tx: DatabaseDriver): Promise<void> => {
    await job.beforeSuccess?.(tx)
    await tx.record(entry('success', null))
  }
  const recordsProgress = segments.length > 1
  const fileCount = segments.reduce((n, s) => n + s.files.length, 0)
  events(operation === 'apply'
    ? { type: 'version.start', version: manifest.version, digest, files: fileCount }
    : { type: 'rollback.start', version: manifest.version, digest, files: fileCount })
  try {
    if (segments.length === 0) await driver.transaction(succeed)
    for (const [i, segment] of segments.entries()) {
      const last = i === segments.length - 1
      if (segment.transactional) {
        events({ type: 'transaction.begin', version: manifest.version, files: segment.files.map((f) => f.path) })
        await driver.transaction(async (tx) => {
          for (const file of segment.files) {
            const { content } = await nextFile(files, file)
            if (resume.doneFiles.has(file.path)) {
              events({ type: 'version.skip', version: manifest.version, reason: `${file.path} already ${words[operation].done}` })
              continue
            }
            await runTransactionalFile(tx, events, manifest, file, content)
            if (recordsProgress) await tx.recordProgress({ version: manifest.version, manifestDigest: digest, path: file.path, statement: null })
          }
          if (last) await succeed(tx)
        })
        events({ type: 'transaction.commit', version: manifest.version })
      } else {
        const file = segment.files[0]!
        const { content } = await nextFile(files, file)
        if (!resume.doneFiles.has(file.path)) await runStatementByStatement(ctx, manifest, digest, file, content, resume.doneStatements.get(file.path) ?? -1)
        if (last) await driver.transaction(succeed)
      }
    }
  } catch (err) {
    const failure = describeFailure(err, manifest)
    // Anything recorded as progress (finished files, statements run outside a transaction) stays.
    const progressed =
      resume.doneFiles.size > 0 ||
      resume.doneStatements.size > 0 ||
      (await driver.progress(manifest.version).then(
        (rows) => rows.some((p) => p.manifestDigest === digest && ownsPath(operation, p.path)),
        () => segments.some((s) => !s.transactional) || segments.length > 1,
      ))
    const recordError = await driver.record(entry('failed', { code: failure.code, message: failure.message })).then(
      () => undefined,
      (e: unknown) => (e instanceof Error ? e.message : String(e)),
    )
    events({ type: 'version.failed', version: manifest.version, code: failure.code, message: failure.message, resumable: progressed, operation })
    throw new SquizzleError(words[operation].failed, `${operation === 'apply' ? 'version' : 'rollback of'} ${manifest.version} failed: ${failure.message}`, {
      hint: progressed
        ? `Files before the failure ran and are recorded. Fix the cause, then run ${words[operation].again} again: it resumes where it stopped (or see \`squizzle repair\`).`
        : operation === 'apply'
          ? `Nothing of version ${manifest.version} was kept: the database is as it was before. Fix the cause and run apply again; if the SQL itself is wrong, delete this never-applied version from storage and build a corrected one.`
          : `Nothing of the rollback was kept: the database is as it was before and ${manifest.version} is still applied. Fix the cause and run rollback again.`,
      cause: err,
      details: { version: manifest.version, operation, resumable: progressed, ...failure.details, ...(recordError ? { recordError } : {}) },
    })
  } finally {
    await files.return()
  }
  events(operation === 'apply'
    ? { type: 'version.done', version: manifest.version, durationMs: Date.now() - startedAt.getTime() }
    : { type: 'rollback.done', version: manifest.version, durationMs: Date.now() - startedAt.getTime() })
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

async function runStatementByStatement(
  ctx: VersionRunContext,
  manifest: Manifest,
  digest: string,
  file: ManifestFile,
  content: Buffer,
  lastDone: number,
): Promise<void> {
  const started = Date.now()
  const { driver, events } = ctx
  // The verified manifest decides: the file may be declared non-transactional in config, not by a directive in its bytes.
  const statements = (await analyzeSql(content.toString('utf8'), file.path, { noTransaction: !file.transaction })).statements
  if (lastDone >= 0) events({ type: 'file.resume', version: manifest.version, path: file.path, fromStatement: lastDone + 1 })
  events({ type: 'file.start', version: manifest.version, path: file.path, transactional: false })
  await driver.run(
    { version: manifest.version, path: file.path, statements: statements.map((s) => s.text), transactional: false },
    {
      fromStatement: lastDone + 1,
      onStatement: async (index, durationMs) => {
        await driver.recordProgress({ version: manifest.version, manifestDigest: digest, path: file.path, statement: index })
        events({ type: 'statement.done', version: manifest.version, path: file.path, index, durationMs })
      },
    },
  )
  await driver.recordProgress({ version: manifest.version, manifestDigest: digest, path: file.path, statement: null })
  events({ type: 'file.done', version: manifest.version, path: file.path, durationMs: Date.now() - started })
}

async function readResume(driver: DatabaseDriver, version: string, digest: string, operation: RunOperation): Promise<{ doneFiles: Set<string>; doneStatements: Map<string, number> }> {
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

function describeFailure(err: unknown, manifest: Manifest): { code: string; message: string; details: Record<string, unknown> } {
  if (isSquizzleError(err)) return { code: err.code, message: err.message, details: err.details ?? {} }
  const message = err instanceof Error ? err.message : String(err)
  return { code: 'DATABASE_ERROR', message: `${manifest.version}: ${message}`, details: {} }
}
