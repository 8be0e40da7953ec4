import type {
  DriverTransaction,
  MigrationPieces,
  MigrationScript,
  MigrationUnit,
  SchemaSnapshot,
  TransactionRunOptions,
} from '@squizzle/core'
import type { Sql } from 'postgres'
import { assertLockHeld } from './advisory-lock.js'
import { cancellable } from './cancellable.js'
import type { ConnectionTarget } from './connection-url.js'
import { PostgresRecords } from './postgres-records.js'
import { readSchemaSnapshot } from './schema-snapshot.js'
import { sessionQuery, type Query } from './session-query.js'
import type { Connections } from './sessions.js'
import type { SchemaPresence } from './system-schema.js'
import type { TenantScope } from './tenant-schema.js'
import { resetSession, resetSessionOn } from './statement-runner.js'
import { inRolledBackSavepoint, restoreSearchPath, type Session } from './work-session.js'

/** What a transaction works on: the driver's connections and the reserved connection of its transaction. */
export interface TransactionScope {
  target: ConnectionTarget
  connections: Connections
  session: Session
  sql: Sql
  /** The tenant the driver serves: its system schema and the schema its snapshots read. */
  tenant: TenantScope
  /** What this transaction has seen of the system schema (its own copy: it may roll back). */
  presence: SchemaPresence
}

/**
 * An open transaction of the PostgreSQL driver, on the work session's reserved
 * connection. Nothing is sent once its session was lost (the server rolled it back).
 *
 * @example
 * ```ts
 * await driver.transaction(async (tx) => {
 *   await tx.run({ version: '1.0.0', path: 'migrations/001.sql', script: 'CREATE TABLE t (id int)' })
 *   await tx.assertLockHeld()
 * })
 * ```
 */
export class PostgresTransaction implements DriverTransaction {
  readonly records: PostgresRecords
  private readonly query: Query

  constructor(private readonly scope: TransactionScope) {
    const { target, session, sql, tenant, presence } = scope
    this.query = sessionQuery(target, () => ({ session, sql, inTransaction: true }))
    const transact = <T>(fn: (tx: Sql) => Promise<T>) => fn(sql)
    const { secrets } = target
    const connection = { query: this.query, transact, inTransaction: true, secrets, scope: tenant, presence }
    this.records = new PostgresRecords(connection)
  }

  async run(unit: MigrationUnit | MigrationScript, opts: TransactionRunOptions = {}): Promise<void> {
    const doing = `running ${unit.path}`
    const { signal } = opts
    // Plain SET outlives COMMIT in PostgreSQL: reset, so nothing leaks into the next file.
    if ('script' in unit) {
      // In the script's own round trip, after a line break and a `;` of its own: whatever the script
      // ends with (a line comment, a statement without `;`), the reset runs as a statement after it,
      // and a script that fails still fails where it did.
      const script = `${unit.script}\n;${resetSession}`
      await this.query(doing, async (sql) => void (await cancellable(sql.unsafe(script).simple(), signal)))
      await this.query(doing, (sql) => restoreSearchPath(sql, this.scope.session))
      return
    }
    await this.runEach(doing, unit.statements, opts)
    await this.query(doing, (sql) => resetSessionOn(sql, this.scope.session))
  }

  async runPieces(unit: MigrationPieces, opts: TransactionRunOptions = {}): Promise<void> {
    const doing = `running ${unit.path}`
    await this.runEach(doing, unit.pieces, opts)
    await this.query(doing, (sql) => resetSessionOn(sql, this.scope.session))
  }

  /** Sends each statement (or piece) as it comes, on this transaction's session. */
  private async runEach(
    doing: string,
    statements: Iterable<string> | AsyncIterable<string>,
    opts: TransactionRunOptions,
  ): Promise<void> {
    const { signal } = opts
    let i = 0
    for await (const statement of statements) {
      const started = Date.now()
      const send = async (sql: Sql) => void (await cancellable(sql.unsafe(statement).simple(), signal))
      await this.query(doing, send, { statement: i })
      await opts.onStatement?.(i, Date.now() - started)
      i++
    }
  }

  async assertLockHeld(): Promise<void> {
    const held = this.scope.connections.held
    await this.query('proving the migration lock is held', (sql) => assertLockHeld(sql, held, held?.session))
  }

  async snapshotSchema(): Promise<SchemaSnapshot> {
    // Its uncommitted DDL is part of the picture (a rollback is checked before it commits);
    // the catalog read's SET LOCALs are undone with the savepoint.
    const { session } = this.scope
    const inner = <T>(fn: (tx: Sql) => Promise<T>) => inRolledBackSavepoint(session, this.scope.sql, 1, fn)
    return this.query('reading the schema from the catalogs', (sql) =>
      readSchemaSnapshot(sql, inner, this.scope.tenant.tenant),
    )
  }
}
