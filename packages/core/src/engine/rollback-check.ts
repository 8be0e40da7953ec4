import type { DriverTransaction } from '../driver/database-driver.js'
import type { Remedy } from '../errors/remedy.js'
import { SquizzleError } from '../errors/squizzle-error.js'
import type { EventSink } from '../events/events.js'
import { compactDifferences, diffSnapshots, summarizeDifferences } from '../snapshot/diff-snapshots.js'
import type { SchemaDifference } from '../snapshot/diff-snapshots.js'
import type { SchemaSnapshot } from '../snapshot/schema-snapshot.js'
import type { RollbackExpectation } from './rollback-expected.js'

/** How the schema after one version's rollback compared with the schema it returns to. */
export interface RollbackCheck {
  /** The version rolled back. */
  version: string
  /** The version the database returned to; null: the schema from before its first version. */
  against: string | null
  /** `matched`; `forced`: differed, recorded anyway on request; `unchecked`: nothing to compare with (`reason`). */
  outcome: 'matched' | 'forced' | 'unchecked'
  reason?: string
  /** From the expected schema to the live one (`added`: only in the database). Empty unless forced. */
  differences: SchemaDifference[]
}

export interface SchemaCheckOptions {
  /** Record the rollback even when the schema differs (audited with the differences). */
  force: boolean
  /** The rollback runs as one transaction, so a failed check leaves the database as it was. */
  atomic: boolean
  events: EventSink
}

/**
 * The step that runs in the rollback's last transaction, just before its success
 * row: reads the live schema (uncommitted changes included), compares it with the
 * expected one and throws `ROLLBACK_INCOMPLETE` naming every difference, so the
 * transaction and the success row are rolled back. `done` receives the outcome.
 *
 * @example
 * ```ts
 * const beforeSuccess = schemaCheck(expected, { force: false, atomic: true, events }, (c) => checks.push(c))
 * await runSegments(ctx, { ...job, beforeSuccess })
 * ```
 */
export function schemaCheck(
  expected: RollbackExpectation,
  options: SchemaCheckOptions,
  done: (check: RollbackCheck) => void,
): (tx: DriverTransaction) => Promise<void> {
  const { version, against } = expected
  return async (tx) => {
    if (expected.snapshot === null || !tx.snapshotSchema) {
      const reason = expected.reason ?? 'the driver cannot read the live schema inside a transaction'
      done({ version, against, outcome: 'unchecked', reason, differences: [] })
      return
    }
    const live = await tx.snapshotSchema()
    const differences = diffSnapshots(expected.snapshot, live)
    if (differences.length === 0) return done({ version, against, outcome: 'matched', differences })
    const comparison = { expected: expected.snapshot, live, differences }
    if (!options.force) throw incompleteRollback(expected, comparison, options.atomic)
    const message =
      `rollback of ${version} recorded although the database differs from ${returnsTo(expected)}: ` +
      summarizeDifferences(differences)
    options.events({ type: 'warning', code: 'ROLLBACK_FORCED', version, message })
    done({ version, against, outcome: 'forced', differences })
  }
}

interface Comparison {
  expected: SchemaSnapshot
  live: SchemaSnapshot
  differences: SchemaDifference[]
}

function incompleteRollback(expected: RollbackExpectation, comparison: Comparison, atomic: boolean): SquizzleError {
  const { version, against } = expected
  const { differences, live } = comparison
  const target = returnsTo(expected)
  const count = `${differences.length} object${differences.length === 1 ? '' : 's'}`
  const message =
    `rollback of ${version} is incomplete: afterwards the database differs from ${target} in ${count} ` +
    `(+ only in the database, - missing from it, ~ changed): ${summarizeDifferences(differences)}`
  return new SquizzleError('ROLLBACK_INCOMPLETE', message, {
    hint: (atomic ? atomicRecovery(expected) : partialRecovery(expected)) + serverNote(target, comparison),
    remedies: atomic
      ? [{ operation: 'repair', args: [version] }, rollbackAgain(expected), rollbackAgain(expected, { force: true })]
      : [rollbackAgain(expected)],
    details: {
      version,
      against,
      atomic,
      differences: compactDifferences(differences),
      expectedServer: comparison.expected.server,
      liveServer: live.server,
    },
  })
}

/** Nothing of the rollback stayed: the database is at the version it was asked to leave. */
function atomicRecovery(expected: RollbackExpectation): string {
  const { version } = expected
  return (
    `Nothing was changed: the database is still at ${version}, ` +
    `its rollback SQL does not restore ${returnsTo(expected)}. ` +
    `Either stay at ${version} and roll forward: repairing ${version} resolves this failed rollback, ` +
    'then build and apply a version that makes the change you need. ' +
    'Or undo by hand what the rollback SQL leaves behind (listed), then run the rollback again. ' +
    'If the differences are objects Squizzle does not manage, a forced rollback is recorded anyway (audited).'
  )
}

/** Part of the rollback ran outside a transaction and stays. */
function partialRecovery(expected: RollbackExpectation): string {
  const { version } = expected
  return (
    `The rollback SQL of ${version} ran outside one transaction and what ran stays; history still says ${version}. ` +
    `Undo by hand what is left (listed) so the schema matches ${returnsTo(expected)}, then run the rollback again: ` +
    'it resumes after what already ran, checks the schema again and records the rollback.'
  )
}

/** Running the same rollback again: down to the version it returns to. */
function rollbackAgain(expected: RollbackExpectation, options: Record<string, boolean> = {}): Remedy {
  const to: Record<string, string> = expected.against === null ? {} : { to: expected.against }
  return { operation: 'rollback', options: { ...to, ...options } }
}

function serverNote(target: string, { expected, live }: Comparison): string {
  if (major(expected.server) === major(live.server)) return ''
  return (
    ` The snapshot of ${target} was taken on PostgreSQL ${expected.server}, the database runs ${live.server}: ` +
    'some differences may come only from that.'
  )
}

function returnsTo(expected: RollbackExpectation): string {
  return expected.against === null ? `the schema from before ${expected.version}` : `the schema of ${expected.against}`
}

function major(server: string): string {
  return server.split('.')[0] ?? server
}
