import { SquizzleError } from '../errors/squizzle-error.js'
import type { HistoryEntry } from '../driver/database-driver.js'
import { analyzeSql, runnableStatements } from '../sql/analyze-sql.js'
import { compareVersions, parseVersion } from '../version/version.js'
import type { DryRunVersion } from './dry-run.js'
import type { HistoryState } from './history-state.js'
import type { RollbackSource } from './rollback-source.js'
import { planSegments } from './segments.js'

/**
 * The applied versions a rollback undoes, newest first: the current one, or
 * every applied version above `to`. Empty when nothing is above `to`. Pure.
 *
 * @example
 * ```ts
 * selectRollback(deriveState(history), '1.0.0').map((e) => e.version) // ['1.2.0', '1.1.0']
 * ```
 */
export function selectRollback(state: HistoryState, to: string | undefined): HistoryEntry[] {
  if (to === undefined) {
    const current = state.applied.at(-1)
    if (!current) {
      throw new SquizzleError('NOTHING_TO_ROLL_BACK', 'no version is applied to this database', {
        hint: 'The status shows the history; there is nothing to undo.',
        remedies: [{ operation: 'status' }],
      })
    }
    return [current]
  }
  const floor = parseVersion(to)
  return state.applied.filter((e) => compareVersions(e.version, floor) > 0).reverse()
}

/**
 * What a rollback runs for one version, in the same shape as an apply dry run.
 *
 * @example
 * ```ts
 * const layout = await layoutRollback(await loadRollback(entry, driver, storage))
 * ```
 */
export async function layoutRollback(source: RollbackSource): Promise<DryRunVersion> {
  const statements = new Map<string, { index: number; line: number; text: string }[]>()
  for (const { file, content } of source.files) {
    const analysis = await analyzeSql(content.toString('utf8'), file.path, { noTransaction: !file.transaction })
    const run = file.transaction ? runnableStatements(analysis) : analysis.statements
    statements.set(
      file.path,
      run.map((s) => ({ index: s.index, line: s.line, text: s.text })),
    )
  }
  return {
    version: source.manifest.version,
    digest: source.digest,
    segments: rollbackSegments(source).map((segment) => ({
      transactional: segment.transactional,
      files: segment.files.map((f) => ({ path: f.path, statements: statements.get(f.path) ?? [] })),
    })),
  }
}

/**
 * The segments of a rollback: its files newest first, grouped by the version's transaction scope.
 *
 * @example
 * ```ts
 * rollbackSegments(source)[0]?.files[0]?.path // 'rollback/004_index.sql'
 * ```
 */
export function rollbackSegments(source: RollbackSource) {
  return planSegments(
    source.files.map((f) => f.file),
    source.manifest.transactionScope,
    ['rollback'],
  )
}
