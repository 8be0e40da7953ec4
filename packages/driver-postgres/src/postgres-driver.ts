import {
  SquizzleError,
  type DatabaseDriver,
  type DriverTransaction,
  type IndexTarget,
  type InvalidIndex,
  type LockHolderInfo,
  type MigrationLock,
  type MigrationUnit,
  type RunOptions,
  type SchemaSnapshot,
} from '@squizzle/core'
import type { Sql } from 'postgres'
import { acquireLock, assertLockHeld, findLockHolder, type AcquireOptions } from './advisory-lock.js'
import { readAudit, type AuditRow } from './audit-rows.js'
import { parseConnectionUrl, type ConnectionTarget } from './connection-url.js'
import { connectionError } from './database-error.js'
import { dropIndexConcurrently, readInvalidIndexes } from './index-rows.js'
import { PostgresRecords } from './postgres-records.js'
import { PostgresTransaction } from './postgres-transaction.js'
import { readSchemaSnapshot } from './schema-snapshot.js'
import { sessionQuery, transactionOn, type Query } from './session-query.js'
import { openSessions, type Connections } from './sessions.js'
import { runStatements } from './statement-runner.js'
import { systemSchemaSeen, type SchemaPresence } from './system-schema.js'
import { tenantScope, type TenantScope } from './tenant-schema.js'

export interface PostgresDriverOptions {
  /**
   * `postgres://user:password@host:port/database[?sslmode=…]` or `host=… dbname=… password=…`,
   * parsed as libpq does (see `parseConnectionUrl`); the password never appears in errors.
   */
  url: string
  /** Shown in pg_stat_activity and to whoever waits for the lock; default `squizzle`. */
  applicationName?: string
  /** Receives NOTICE/WARNING messages the server sends while migrations run. */
  onNotice?: (notice: { severity: string; message: string }) => void
  connectTimeoutSeconds?: number
  /**
   * Schema-per-tenant: the tenant's schema (a lowercase identifier, at most 54 characters).
   * Migrations run with `search_path` set to it, Squizzle's tables live in `squizzle_<schema>`,
   * the migration lock is the tenant's own, and snapshots (drift) read this schema only, as
   * `public`. Created on the first apply. Without it: the database as a whole, schema `squizzle`.
   */
  schema?: string | undefined
}

/**
 * The PostgreSQL driver: postgres.js, one session for work and one dedicated to
 * the session advisory lock. A lost work session is replaced between units,
 * never in the middle of one; a lost lock session is never replaced.
 *
 * @example
 * ```ts
 * const driver = new PostgresDriver({ url: process.env.DATABASE_URL! })
 * await driver.connect()
 * try { await new Migrator({ storage, driver, toolVersion: '0.1.0' }).apply() } finally { await driver.close() }
 * ```
 */
export class PostgresDriver implements DatabaseDriver {
  readonly name = 'postgres'
  readonly records: PostgresRecords
  private readonly target: ConnectionTarget
  private root: Connections | undefined
  private readonly query: Query
  /** The tenant this driver serves (or the whole database): system schema, lock key, search_path. */
  readonly scope: TenantScope
  private readonly presence: SchemaPresence = { seen: false }

  constructor(private readonly options: PostgresDriverOptions) {
    this.scope = tenantScope(options.schema)
    this.target = parseConnectionUrl(options.url)
    this.query = sessionQuery(this.target, () => {
      const session = this.connected().work()
      return { session, sql: session.sql, inTransaction: false }
    })
    const transact = <T>(fn: (tx: Sql) => Promise<T>) => transactionOn(this.target, this.connected().work(), fn)
    this.records = new PostgresRecords({
      query: this.query,
      transact,
      inTransaction: false,
      secrets: this.target.secrets,
      scope: this.scope,
      presence: this.presence,
    })
  }

  /** The connection URL with its password hidden. */
  get displayUrl(): string {
    return this.target.display
  }

  async connect(): Promise<void> {
    if (this.root) return
    try {
      const searchPath = this.scope.tenant ?? undefined
      // The connection's first query asks whether the system schema exists: history reads then skip that probe.
      const greet = (sql: Sql) => systemSchemaSeen(sql, this.scope.system, this.presence)
      this.root = await openSessions(this.target, { ...this.options, searchPath }, greet)
    } catch (err) {
      throw connectionError(err, this.target.display, this.target.secrets)
    }
  }

  async close(): Promise<void> {
    const root = this.root
    this.root = undefined
    await root?.close()
  }

  async lock(opts: AcquireOptions): Promise<MigrationLock> {
    const root = this.connected()
    const session = root.lockSession()
    const onLockSession = sessionQuery(this.target, () => ({ session, sql: session.sql, inTransaction: false }))
    const held = await onLockSession('taking the migration lock', async () => {
      await root.exempt(session)
      return acquireLock(session, () => root.work(), { ...opts, key: this.scope.lock })
    })
    root.held = held
    return {
      acquiredAt: held.acquiredAt,
      release: async () => {
        try {
          await held.release()
        } finally {
          if (root.held === held) root.held = undefined
        }
      },
    }
  }

  async lockHolder(): Promise<LockHolderInfo | null> {
    return this.query('looking up the lock holder', (sql) => findLockHolder(sql, this.scope.lock))
  }

  async assertLockHeld(): Promise<void> {
    const held = this.connected().held
    await this.query('proving the migration lock is held', (sql) => assertLockHeld(sql, held, held?.session))
  }

  async run(unit: MigrationUnit, opts: RunOptions = {}): Promise<void> {
    // One session for the whole unit: its settings must hold from the first statement to the last.
    const session = this.connected().work()
    const onSession = sessionQuery(this.target, () => ({ session, sql: session.sql, inTransaction: false }))
    await runStatements(session, unit, opts, (doing, fn, details) => onSession(doing, fn, details))
  }

  async transaction<T>(fn: (tx: DriverTransaction) => Promise<T>): Promise<T> {
    const connections = this.connected()
    const session = connections.work()
    // A copy: what the transaction sees of the system schema may roll back with it.
    const presence = { ...this.presence }
    const scope = (sql: Sql) => ({ target: this.target, connections, session, sql, tenant: this.scope, presence })
    return transactionOn(this.target, session, (sql) => fn(new PostgresTransaction(scope(sql))))
  }

  async snapshotSchema(): Promise<SchemaSnapshot> {
    const begin = (sql: Sql) => sql`BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY`
    return this.query('reading the schema from the catalogs', (sql, session) =>
      readSchemaSnapshot(sql, (fn) => transactionOn(this.target, session, fn, begin), this.scope.tenant),
    )
  }

  async invalidIndexes(on?: IndexTarget): Promise<InvalidIndex[]> {
    return this.query('looking for invalid indexes', (sql) => readInvalidIndexes(sql, on))
  }

  async dropIndex(index: InvalidIndex): Promise<void> {
    const doing = `dropping the invalid index ${index.schema}.${index.name}`
    await this.query(doing, (sql) => dropIndexConcurrently(sql, index))
  }

  /** The audit log, newest first (for `status --verbose` and tests). */
  async auditLog(limit = 100): Promise<AuditRow[]> {
    return this.query('reading the audit log', (sql) => readAudit(sql, this.scope.system, limit))
  }

  private connected(): Connections {
    if (!this.root) {
      throw new SquizzleError('CONNECTION_FAILED', 'the PostgreSQL driver is not connected', {
        hint: 'Call driver.connect() first.',
      })
    }
    return this.root
  }
}
