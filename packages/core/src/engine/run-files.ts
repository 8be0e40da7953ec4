import type { BundleFile } from '../bundle/bundle-reader.js'
import type { DriverTransaction, MigrationScript, MigrationUnit } from '../driver/database-driver.js'
import { isSquizzleError, SquizzleError } from '../errors/squizzle-error.js'
import type { EventSink } from '../events/events.js'
import type { Manifest, ManifestFile } from '../manifest/manifest.js'
import { analyzeSql, runnableStatements } from '../sql/analyze-sql.js'
import { chunkScript } from '../sql/chunk-script.js'

/**
 * Runs one transactional file in the transaction `tx`: in one round trip when it
 * fits a chunk, its own `BEGIN`/`COMMIT` left out. A database error names the
 * file and line.
 *
 * @example
 * ```ts
 * await driver.transaction((tx) => runTransactionalFile(tx, events, manifest, file, content))
 * ```
 */
export async function runTransactionalFile(
  tx: DriverTransaction,
  events: EventSink,
  manifest: Manifest,
  file: ManifestFile,
  content: Buffer,
  signal?: AbortSignal,
): Promise<void> {
  const started = Date.now()
  events({ type: 'file.start', version: manifest.version, path: file.path, transactional: true })
  const text = content.toString('utf8')
  // Files with their own BEGIN/COMMIT run without those statements, inside Squizzle's transaction.
  const script = file.ownTransactionControl
    ? runnableStatements(await analyzeSql(text, file.path))
        .map((s) => s.text)
        .join(';\n')
    : text
  const chunks = chunkScript(script)
  const { version } = manifest
  const unit: MigrationUnit | MigrationScript =
    chunks.length === 1
      ? { version, path: file.path, script }
      : { version, path: file.path, statements: chunks.map((c) => c.text) }
  // A file sent in pieces reports each one (with the bytes it covers): a 60 MB seed is never silent.
  const bytes = Buffer.byteLength(script)
  let bytesDone = 0
  const onStatement = async (index: number) => {
    bytesDone += Buffer.byteLength(chunks[index]!.text)
    const statements = chunks.length
    events({ type: 'file.progress', version, path: file.path, done: index + 1, statements, bytesDone, bytes })
  }
  const options = { ...(signal ? { signal } : {}), ...(chunks.length > 1 ? { onStatement } : {}) }
  await withFileContext(
    file,
    script,
    (statement) => chunks[statement]?.offset ?? 0,
    () => tx.run(unit, options),
  )
  events({ type: 'file.done', version: manifest.version, path: file.path, durationMs: Date.now() - started })
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

/**
 * The next file of the bundle, which must be `expected` (files come in manifest order).
 *
 * @example
 * ```ts
 * const { content } = await nextFile(files, manifestFile)
 * ```
 */
export async function nextFile(files: AsyncGenerator<BundleFile>, expected: ManifestFile): Promise<BundleFile> {
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
async function withFileContext(
  file: ManifestFile,
  script: string,
  offsetOf: (statement: number) => number,
  fn: () => Promise<void>,
): Promise<void> {
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
      const details = { ...err.details, path: file.path }
      const { hint, cause } = err
      throw new SquizzleError('DATABASE_ERROR', `${file.path}: ${err.message}`, { hint, cause, details })
    }
    throw err
  }
}

function countLinesBefore(text: string, position: number): number {
  let line = 1
  for (let i = text.indexOf('\n'); i !== -1 && i < position; i = text.indexOf('\n', i + 1)) line++
  return line
}
