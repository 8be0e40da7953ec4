import type { BundleFile, StreamedBundleFile, StreamingBundleFile } from '../bundle/bundle-reader.js'
import type { DriverTransaction, MigrationScript, MigrationUnit } from '../driver/database-driver.js'
import { isSquizzleError, SquizzleError } from '../errors/squizzle-error.js'
import type { EventSink } from '../events/events.js'
import type { Manifest, ManifestFile } from '../manifest/manifest.js'
import { analyzeSql, runnableStatements } from '../sql/analyze-sql.js'
import { chunkScript } from '../sql/chunk-script.js'
import { scriptPieces, type ScriptPiece } from '../sql/script-pieces.js'

/**
 * Transactional files above this size (without their own BEGIN/COMMIT) are not kept in
 * memory after verification: they are read again and run piece by piece as they come.
 */
export const streamFilesAbove = 8 * 1024 * 1024

/**
 * Pieces of a streamed file are about this long: small enough for V8 to allocate and drop
 * them in its young generation (large strings wait for a full collection), large enough
 * that a round trip per piece costs little next to running it.
 */
const streamPieceChars = 64 * 1024

/**
 * True for a file apply runs piece by piece from the bundle instead of holding it.
 *
 * @example
 * ```ts
 * const streamed = manifest.files.some(isStreamedFile)
 * ```
 */
export function isStreamedFile(file: ManifestFile): boolean {
  return file.size > streamFilesAbove && file.transaction && file.ownTransactionControl !== true
}

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
 * Runs a large transactional file in the transaction `tx` as its bytes come, in pieces
 * of about a megabyte cut where statements end, so memory stays at a piece whatever its
 * size. The bytes were verified with the whole bundle before; read again, they are
 * hashed on the way and a mismatch at the end fails the run before the transaction
 * commits. A driver without `runPieces` gets the file whole (in memory).
 *
 * @example
 * ```ts
 * await driver.transaction((tx) => runStreamedFile(tx, events, manifest, streamed))
 * ```
 */
export async function runStreamedFile(
  tx: DriverTransaction,
  events: EventSink,
  manifest: Manifest,
  streamed: StreamedBundleFile,
  signal?: AbortSignal,
): Promise<void> {
  const { file } = streamed
  if (!tx.runPieces) return runTransactionalFile(tx, events, manifest, file, await contentOf(streamed), signal)
  const started = Date.now()
  const { version } = manifest
  events({ type: 'file.start', version, path: file.path, transactional: true })
  const sent: ScriptPiece[] = []
  let bytesDone = 0
  async function* pieces(): AsyncGenerator<string> {
    for await (const piece of scriptPieces(streamed.bytes, streamPieceChars)) {
      // Only the running piece is held: earlier ones keep their line number, for errors.
      sent.push({ text: piece.text, line: piece.line })
      if (sent.length > 1) sent[sent.length - 2]!.text = ''
      yield piece.text
    }
  }
  const onStatement = async (index: number) => {
    bytesDone += Buffer.byteLength(sent[index]!.text)
    const statements = estimatedPieces(index + 1, bytesDone, file.size)
    const bytes = file.size
    events({ type: 'file.progress', version, path: file.path, done: index + 1, statements, bytesDone, bytes })
  }
  const options = { ...(signal ? { signal } : {}), onStatement }
  const run = () => tx.runPieces!({ version, path: file.path, pieces: pieces() }, options)
  await withPieceContext(file, sent, run)
  events({ type: 'file.done', version, path: file.path, durationMs: Date.now() - started })
}

/** Pieces of a file still being read: those done, and the rest at the same size. */
function estimatedPieces(done: number, bytesDone: number, bytes: number): number {
  return bytesDone >= bytes ? done : Math.max(done + 1, Math.round((done * bytes) / Math.max(bytesDone, 1)))
}

/**
 * A file's verified bytes in memory: its content, or its streamed pieces read whole.
 *
 * @example
 * ```ts
 * const content = await contentOf(await nextFile(files, manifestFile))
 * ```
 */
export async function contentOf(f: StreamingBundleFile): Promise<Buffer> {
  if (f.content !== null) return f.content
  const chunks: Buffer[] = []
  for await (const chunk of f.bytes) chunks.push(chunk)
  return Buffer.concat(chunks)
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
export async function nextFile<F extends StreamingBundleFile>(
  files: AsyncGenerator<F>,
  expected: ManifestFile,
): Promise<F> {
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

/** As {@link withFileContext}, for a file run in pieces: the piece's first line plus the lines before the position. */
async function withPieceContext(
  file: ManifestFile,
  sent: readonly ScriptPiece[],
  fn: () => Promise<void>,
): Promise<void> {
  try {
    await fn()
  } catch (err) {
    const statement = isSquizzleError(err) ? err.details?.['statement'] : undefined
    const piece = typeof statement === 'number' ? sent[statement] : undefined
    if (!isSquizzleError(err) || err.code !== 'DATABASE_ERROR' || piece === undefined) throw err
    const position = err.details?.['position']
    const line = piece.line - 1 + (typeof position === 'number' ? countLinesBefore(piece.text, position) : 1)
    const details = { ...err.details, path: file.path, line }
    const { hint, cause } = err
    throw new SquizzleError('DATABASE_ERROR', `${file.path}:${line}: ${err.message}`, { hint, cause, details })
  }
}

function countLinesBefore(text: string, position: number): number {
  let line = 1
  for (let i = text.indexOf('\n'); i !== -1 && i < position; i = text.indexOf('\n', i + 1)) line++
  return line
}
