import type { DatabaseDriver, InvalidIndex } from '../driver/database-driver.js'
import { SquizzleError } from '../errors/squizzle-error.js'
import type { EventSink } from '../events/events.js'
import { concurrentIndexTarget } from '../sql/index-target.js'
import type { SqlStatement } from '../sql/split-statements.js'

/** The checks around each statement of a non-transactional file that keep `CREATE INDEX CONCURRENTLY` honest. */
export interface ConcurrentIndexGuard {
  /** Drops the invalid index an interrupted build of this statement's index left (`IF NOT EXISTS` would skip it). */
  beforeStatement(statement: SqlStatement): Promise<void>
  /** Throws `INDEX_INVALID` when the index this statement built (or kept) is invalid. */
  afterStatement(statement: SqlStatement): Promise<void>
}

/**
 * A killed or failed `CREATE INDEX CONCURRENTLY` leaves an invalid index behind:
 * maintained on every write, never used by a query. Before such a statement runs
 * (or is resumed), an invalid index of the name it creates on its table is
 * dropped (`DROP INDEX CONCURRENTLY`) so it is built again, with an
 * `index.rebuild` event; after it, no invalid index may remain on that table
 * under that name (any name, when PostgreSQL picks it). A driver without
 * `invalidIndexes`/`dropIndex` gets neither check.
 *
 * @example
 * ```ts
 * const guard = concurrentIndexGuard(driver, events, '1.2.0', 'migrations/004_index.sql')
 * await guard.beforeStatement(statement)
 * ```
 */
export function concurrentIndexGuard(
  driver: DatabaseDriver,
  events: EventSink,
  version: string,
  path: string,
): ConcurrentIndexGuard {
  return {
    async beforeStatement(statement) {
      const target = concurrentIndexTarget(statement)
      // Without a name, an invalid index on the table may be anyone's: reported after the statement, never dropped.
      if (!target?.index || !driver.invalidIndexes || !driver.dropIndex) return
      for (const index of await driver.invalidIndexes(target)) {
        events({ type: 'index.rebuild', version, path, schema: index.schema, index: index.name, table: index.table })
        await driver.dropIndex(index)
      }
    },
    async afterStatement(statement) {
      const target = concurrentIndexTarget(statement)
      if (!target || !driver.invalidIndexes) return
      const invalid = await driver.invalidIndexes(target)
      if (invalid.length > 0) throw invalidIndexError(invalid)
    },
  }
}

function invalidIndexError(invalid: readonly InvalidIndex[]): SquizzleError {
  const names = invalid.map((i) => `${i.schema}.${i.name}`)
  const what = `index ${names.join(', ')} on ${invalid[0]!.table}`
  const message =
    `${what} is invalid after CREATE INDEX CONCURRENTLY (pg_index.indisvalid is false): ` + 'maintained, never used'
  return new SquizzleError('INDEX_INVALID', message, {
    hint:
      `Drop it (DROP INDEX CONCURRENTLY ${names[0]}), then run apply again: it resumes at this statement ` +
      'and builds the index again.',
    details: { invalidIndexes: invalid },
  })
}
