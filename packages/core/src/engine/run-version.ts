import type { DatabaseDriver, HistoryEntryInput, MigrationUnit } from '../driver/database-driver.js'
import { isSquizzleError, SquizzleError } from '../errors/squizzle-error.js'
import type { EventSink } from '../events/events.js'
import type { BundleLimits } from '../bundle/limits.js'
import { bundleFiles, type BundleFile } from '../bundle/bundle-reader.js'
import type { Manifest, ManifestFile } from '../manifest/manifest.js'
import { analyzeSql, runnableStatements } from '../sql/analyze-sql.js'
import { chunkScript } from '../sql/chunk-script.js'
import type { PulledArtifact } from '../storage/artifact-storage.js'
import type { Actor } from './actor.js'
import { planSegments } from './segments.js'

export interface VersionRunContext {
  driver: DatabaseDriver
  events: EventSink
  actor: Actor
  toolVersion: string
  limits?: Partial<BundleLimits> | undefined
}

/**
 * Runs one verified version's files and records it, all inside the segments
 * `planSegments` gives: a failed transactional segment leaves nothing behind;
 * finished segments and statements of non-transactional files are recorded as
 * progress so that a retry resumes after them.
 *
 * Callers hold the migration lock and have verified the bundle.
 *
 * @example
 * ```ts
 * await runVersion(ctx, await storage.pull('1.2.0'))
 * ```
 */
export async function runVersion(ctx: VersionRunContext, pulled: PulledArtifact, verified: BundleFile[] | null = null): Promise<void> {
  const { manifest, ref } = pulled
  const { driver, events } = ctx
  const startedAt = new Date()
  const segments = planSegments(manifest.files, manifest.transactionScope)
  const resume = await readResume(driver, manifest.version, ref.digest)
  // Files already verified in memory run as they are; otherwise the bundle is read
  // again and every file re-checked against the manifest just before it runs.
  const files = verified ? fromMemory(verified) : bundleFiles(pulled.open(), manifest, { limits: ctx.limits })
  const entry = (status: 'success' | 'failed', error: HistoryEntryInput['error']): HistoryEntryInput => ({
    operation: 'apply',
    version: manifest.version,
    status,
    manifestDigest: ref.digest,
    checksum: manifest.checksum.value,
    manifest,
    actor: ctx.actor.user,
    host: ctx.actor.host,
    toolVersion: ctx.toolVersion,
    startedAt,
    finishedAt: new Date(),
    error,
  })
  const recordsProgress = segments.length > 1
  events({ type: 'version.start', version: manifest.version, digest: ref.digest, files: segments.reduce((n, s) => n + s.files.length, 0) })
  try {
    if (segments.length === 0) await driver.record(entry('success', null))
    for (const [i, segment] of segments.entries()) {
      const last = i === segments.length - 1
      if (segment.transactional) {
        events({ type: 'transaction.begin', version: manifest.version, files: segment.files.map((f) => f.path) })
        await driver.transaction(async (tx) => {
          for (const file of segment.files) {
            const { content } = await nextFile(files, file)
            if (resume.doneFiles.has(file.path)) {
              events({ type: 'version.skip', version: manifest.version, reason: `${file.path} already applied` })
              continue
            }
            await runTransactionalFile(tx, events, manifest, file, content)
            if (recordsProgress) await tx.recordProgress({ version: manifest.version, manifestDigest: ref.digest, path: file.path, statement: null })
          }
          if (last) await tx.record(entry('success', null))
        })
        events({ type: 'transaction.commit', version: manifest.version })
      } else {
        const file = segment.files[0]!
        const { content } = await nextFile(files, file)
        if (!resume.doneFiles.has(file.path)) await runStatementByStatement(ctx, manifest, ref.digest, file, content, resume.doneStatements.get(file.path) ?? -1)
        if (last) await driver.record(entry('success', null))
      }
    }
  } catch (err) {
    const failure = describeFailure(err, manifest)
    // Anything recorded as progress (finished files, statements run outside a transaction) stays applied.
    const progressed =
      resume.doneFiles.size > 0 ||
      resume.doneStatements.size > 0 ||
      (await driver.progress(manifest.version).then(
        (rows) => rows.some((p) => p.manifestDigest === ref.digest),
        () => segments.some((s) => !s.transactional) || segments.length > 1,
      ))
    const recordError = await driver.record(entry('failed', { code: failure.code, message: failure.message })).then(
      () => undefined,
      (e: unknown) => (e instanceof Error ? e.message : String(e)),
    )
    events({ type: 'version.failed', version: manifest.version, code: failure.code, message: failure.message, resumable: progressed })
    throw new SquizzleError('MIGRATION_FAILED', `version ${manifest.version} failed: ${failure.message}`, {
      hint: progressed
        ? `Files before the failure are applied and recorded. Fix the cause, then run apply again: it resumes where it stopped.`
        : `Nothing of version ${manifest.version} was kept: the database is as it was before. Fix the cause and run apply again; if the SQL itself is wrong, delete this never-applied version from storage and build a corrected one.`,
      cause: err,
      details: { version: manifest.version, resumable: progressed, ...failure.details, ...(recordError ? { recordError } : {}) },
    })
  } finally {
    await files.return()
  }
  events({ type: 'version.done', version: manifest.version, durationMs: Date.now() - startedAt.getTime() })
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

async function readResume(driver: DatabaseDriver, version: string, digest: string): Promise<{ doneFiles: Set<string>; doneStatements: Map<string, number> }> {
  const rows = await driver.progress(version)
  const foreign = rows.find((r) => r.manifestDigest !== digest)
  if (foreign) {
    throw new SquizzleError('RESUME_MISMATCH', `version ${version} was partly applied from ${foreign.manifestDigest}, but storage now holds ${digest}`, {
      hint: 'The stored version changed after a partial apply. Restore the original artifact, or resolve the partial state by hand and run `squizzle repair`.',
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

async function* fromMemory(files: BundleFile[]): AsyncGenerator<BundleFile, void, undefined> {
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
