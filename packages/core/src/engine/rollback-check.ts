import type { DatabaseDriver } from '../driver/database-driver.js'
import { SquizzleError } from '../errors/squizzle-error.js'
import type { EventSink } from '../events/events.js'
import { compactDifferences, diffSnapshots, summarizeDifferences, type SchemaDifference } from '../snapshot/diff-snapshots.js'
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
 * await runSegments(ctx, { ...job, beforeSuccess: schemaCheck(expected, { force: false, atomic: true, events }, (c) => checks.push(c)) })
 * ```
 */
export function schemaCheck(expected: RollbackExpectation, options: SchemaCheckOptions, done: (check: RollbackCheck) => void): (tx: DatabaseDriver) => Promise<void> {
  const { version, against } = expected
  return async (tx) => {
    if (expected.snapshot === null || !tx.snapshotSchema) {
      const reason = expected.reason ?? `the ${tx.name} driver cannot read the live schema`
      done({ version, against, outcome: 'unchecked', reason, differences: [] })
      return
    }
    const live = await tx.snapshotSchema()
    const differences = diffSnapshots(expected.snapshot, live)
    if (differences.length === 0) return done({ version, against, outcome: 'matched', differences })
    if (!options.force) throw incompleteRollback(expected, expected.snapshot, live, differences, options.atomic)
    options.events({ type: 'warning', code: 'ROLLBACK_FORCED', version, message: `rollback of ${version} recorded although the database differs from ${returnsTo(expected)}: ${summarizeDifferences(differences)}` })
    done({ version, against, outcome: 'forced', differences })
  }
}

function incompleteRollback(expected: RollbackExpectation, snapshot: SchemaSnapshot, live: SchemaSnapshot, differences: SchemaDifference[], atomic: boolean): SquizzleError {
  const { version, against } = expected
  const target = returnsTo(expected)
  const count = `${differences.length} object${differences.length === 1 ? '' : 's'}`
  const servers = major(snapshot.server) === major(live.server) ? '' : ` The snapshot of ${target} was taken on PostgreSQL ${snapshot.server}, the database runs ${live.server}: some differences may come only from that.`
  const again = `then run rollback again (\`squizzle rollback${against === null ? '' : ` --to ${against}`}\`)`
  const hint = atomic
    ? `Nothing was changed: the database is still at ${version}, its rollback SQL does not restore ${target}. Either stay at ${version} and roll forward: \`squizzle repair ${version}\` resolves this failed rollback, then build and apply a version that makes the change you need. Or undo by hand what the rollback SQL leaves behind (listed), ${again}. If the differences are objects Squizzle does not manage, \`--force\` records the rollback anyway (audited).${servers}`
    : `The rollback SQL of ${version} ran outside one transaction and what ran stays; history still says ${version}. Undo by hand what is left (listed) so the schema matches ${target}, ${again}: it resumes after what already ran, checks the schema again and records the rollback.${servers}`
  return new SquizzleError('ROLLBACK_INCOMPLETE', `rollback of ${version} is incomplete: afterwards the database differs from ${target} in ${count} (+ only in the database, - missing from it, ~ changed): ${summarizeDifferences(differences)}`, {
    hint,
    details: { version, against, atomic, differences: compactDifferences(differences), expectedServer: snapshot.server, liveServer: live.server },
  })
}

function returnsTo(expected: RollbackExpectation): string {
  return expected.against === null ? `the schema from before ${expected.version}` : `the schema of ${expected.against}`
}

function major(server: string): string {
  return server.split('.')[0] ?? server
}
