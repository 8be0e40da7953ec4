import type { DatabaseDriver, RunOptions } from '../driver/database-driver.js'
import { isSquizzleError } from '../errors/squizzle-error.js'
import type { EventSink } from '../events/events.js'
import type { Manifest, ManifestFile } from '../manifest/manifest.js'
import { analyzeSql } from '../sql/analyze-sql.js'
import { changesSessionOnly } from '../sql/session-settings.js'
import type { SqlStatement } from '../sql/split-statements.js'
import { throwIfCancelled } from './cancellation.js'
import { concurrentIndexGuard } from './concurrent-index.js'
import type { RunTrace } from './run-trace.js'

/** A non-transactional file to run: where it resumes, and the run it belongs to. */
export interface StatementRun {
  driver: DatabaseDriver
  events: EventSink
  manifest: Manifest
  digest: string
  file: ManifestFile
  content: Buffer
  /** Index of the last statement an earlier run finished, or -1. */
  lastDone: number
  trace: RunTrace
  /** Stops before the next statement, and cancels the one running (see `RunOptions.signal`). */
  signal?: AbortSignal | undefined
}

/**
 * Runs a non-transactional file statement by statement. Before each statement
 * the lock is proven held and an invalid index a `CREATE INDEX CONCURRENTLY`
 * would skip is dropped; after each, such an index is checked valid and the
 * statement is recorded, so a retry resumes after it. A resumed file first
 * replays its earlier session settings (`SET`, `set_config`). A failure names
 * the file, line and statement (see `RunTrace.at`).
 *
 * @example
 * ```ts
 * await runStatementByStatement({ driver, events, manifest, digest, file, content, lastDone: -1, trace })
 * ```
 */
export async function runStatementByStatement(run: StatementRun): Promise<void> {
  const { driver, events, manifest, file, trace } = run
  const started = Date.now()
  // The verified manifest decides: the file may be declared non-transactional in config,
  // not by a directive in its bytes.
  const text = run.content.toString('utf8')
  const { statements } = await analyzeSql(text, file.path, { noTransaction: !file.transaction })
  const { version } = manifest
  const { path } = file
  const from = run.lastDone + 1
  const replaySession = statements
    .slice(0, from)
    .filter(changesSessionOnly)
    .map((s) => s.index)
  if (from > 0) events({ type: 'file.resume', version, path, fromStatement: from, replayed: replaySession.length })
  events({ type: 'file.start', version, path, transactional: false })
  trace.transactionFrom = null
  pointAt(run, statements, from)
  try {
    const unit = { version, path, statements: statements.map((s) => s.text) }
    const signal = run.signal ? { signal: run.signal } : {}
    await driver.run(unit, { fromStatement: from, replaySession, ...signal, ...statementHooks(run, statements) })
  } catch (err) {
    refineLine(trace, statements, err)
    throw err
  }
  await recordProgress(run, null)
  events({ type: 'file.done', version, path, durationMs: Date.now() - started })
}

type Hooks = Pick<RunOptions, 'beforeStatement' | 'onStatement'>

/** Around each statement: the lock proven and a leftover invalid index dropped before; checks and progress after. */
function statementHooks(run: StatementRun, statements: readonly SqlStatement[]): Hooks {
  const { driver, events, manifest, file, trace } = run
  const indexes = concurrentIndexGuard(driver, events, manifest.version, file.path)
  // Bytes of the file's statements up to each one, for progress.
  const byteOffsets = [0]
  for (const s of statements) byteOffsets.push(byteOffsets.at(-1)! + Buffer.byteLength(s.text))
  return {
    beforeStatement: async (index) => {
      pointAt(run, statements, index)
      throwIfCancelled(run.signal, `statement ${index + 1} of ${file.path}`)
      await driver.assertLockHeld()
      await indexes.beforeStatement(statements[index]!)
    },
    onStatement: async (index, durationMs) => {
      trace.committed = true
      await indexes.afterStatement(statements[index]!)
      await recordProgress(run, index)
      events({ type: 'statement.done', version: manifest.version, path: file.path, index, durationMs })
      const bytesDone = byteOffsets[index + 1]!
      const progress = { done: index + 1, statements: statements.length, bytesDone, bytes: byteOffsets.at(-1)! }
      events({ type: 'file.progress', version: manifest.version, path: file.path, ...progress })
      pointAt(run, statements, index + 1)
    },
  }
}

/** `trace.at` always names the statement to run next: a failure before it starts resumes there too. */
function pointAt(run: StatementRun, statements: readonly SqlStatement[], index: number): void {
  const statement = statements[index]
  run.trace.at = statement ? { path: run.file.path, statement: index, line: startLine(statement) } : null
}

function recordProgress(run: StatementRun, statement: number | null): Promise<void> {
  const { version } = run.manifest
  return run.driver.records.addProgress({ version, manifestDigest: run.digest, path: run.file.path, statement })
}

/** The line of the statement's first token: its text starts after the previous `;`, comments included. */
function startLine(statement: SqlStatement): number {
  const text = statement.text
  let i = 0
  for (;;) {
    while (i < text.length && /\s/.test(text[i]!)) i++
    if (text.startsWith('--', i)) i = text.indexOf('\n', i) === -1 ? text.length : text.indexOf('\n', i)
    else if (text.startsWith('/*', i)) i = text.indexOf('*/', i) === -1 ? text.length : text.indexOf('*/', i) + 2
    else break
  }
  return statement.line + countNewlines(text, 0, i)
}

/** A server error with a position points at a line inside the statement. */
function refineLine(trace: RunTrace, statements: readonly SqlStatement[], err: unknown): void {
  const at = trace.at
  const position = isSquizzleError(err) ? err.details?.['position'] : undefined
  if (!at || at.statement === null || typeof position !== 'number') return
  const statement = statements[at.statement]
  if (statement) at.line = statement.line + countNewlines(statement.text, 0, position)
}

function countNewlines(text: string, from: number, to: number): number {
  let count = 0
  for (let i = text.indexOf('\n', from); i !== -1 && i < to; i = text.indexOf('\n', i + 1)) count++
  return count
}
