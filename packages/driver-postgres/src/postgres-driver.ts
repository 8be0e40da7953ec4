import {
  SquizzleError,
  type AuditInput,
  type DatabaseDriver,
  type HistoryEntry,
  type HistoryEntryInput,
  type LockHolderInfo,
  type MigrationLock,
  type MigrationUnit,
  type ProgressEntry,
  type ProgressInput,
  type RollbackScript,
  type RunOptions,
  type SchemaSnapshot,
} from '@squizzle/core'
import type { Notice, Sql } from 'postgres'
import { acquireLock, findLockHolder, type AcquireOptions } from './advisory-lock.js'
import { asPostgresOptions } from './client-options.js'
import { parseConnectionUrl, type ConnectionTarget } from './connection-url.js'
import { connectionError, databaseError } from './database-error.js'
import { readAudit, type AuditRow } from './audit-rows.js'
import { deleteProgress, readHistory, readProgress, writeAudit, writeHistory, writeProgress } from './history-rows.js'
import { redactValues } from './redact-values.js'
import { readRollbackScripts, writeRollbackScripts } from './rollback-rows.js'
import { applySystemSchema, hasSystemSchema } from './system-schema.js'
import { readSchemaSnapshot } from './schema-snapshot.js'

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
}

/** Session state a file may have changed; reset after every file so nothing leaks into the next. */
const resetSession = 'RESET SESSION AUTHORIZATION; RESET ALL'

/**
 * The PostgreSQL driver: postgres.js, one connection for work and one
 * dedicated to the session advisory lock.
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
  readonly capabilities = { transactionalDdl: true, advisoryLocks: true }
  private readonly target: ConnectionTarget
  private root: { sql: Sql; lockSql: Sql } | undefined
  private readonly tx: Sql | undefined

  constructor(private readonly options: PostgresDriverOptions, tx?: { parent: PostgresDriver; sql: Sql }) {
    this.target = parseConnectionUrl(options.url)
    this.tx = tx?.sql
    this.root = tx?.parent.root
  }

  /** The connection URL with its password hidden. */
  get displayUrl(): string {
    return this.target.display
  }

  async connect(): Promise<void> {
    if (this.root) return
    // Imported on connect, not with the package: CLI runs that never touch a database
    // (build, push, pull, list) should not load the client.
    const { postgres } = await import('./postgres-client.js')
    // Every setting is passed explicitly: postgres.js never parses the URL itself.
    const client = this.target.clientOptions()
    const applicationName = this.options.applicationName ?? this.target.settings.applicationName ?? 'squizzle'
    const open = (purpose: string, extra: Record<string, string> = {}): Sql =>
      postgres(asPostgresOptions({
        ...client,
        max: 1,
        prepare: false,
        connect_timeout: this.options.connectTimeoutSeconds ?? this.target.settings.connectTimeoutSeconds ?? 10,
        connection: { ...client.connection, application_name: `${applicationName}${purpose}`, ...extra },
        onnotice: (notice: Notice) => this.options.onNotice?.({ severity: String(notice['severity'] ?? 'NOTICE'), message: String(notice['message'] ?? '') }),
      }))
    const lockSql = open(' (lock)')
    let sql: Sql | undefined
    try {
      const [row] = await lockSql<{ server_version_num: string }[]>`SHOW server_version_num`
      // If this process dies mid-statement, the server must notice and roll back at once
      // (PostgreSQL 14+), not only when a long statement ends. A startup parameter, so
      // the RESET ALL after each file keeps it.
      const checkClient: Record<string, string> = Number(row?.server_version_num ?? 0) >= 140000 ? { client_connection_check_interval: '1000' } : {}
      sql = open('', checkClient)
      await sql`SELECT 1`
    } catch (err) {
      await Promise.allSettled([sql?.end({ timeout: 1 }), lockSql.end({ timeout: 1 })])
      throw connectionError(err, this.target.display, this.target.secrets)
    }
    this.root = { sql, lockSql }
  }

  async close(): Promise<void> {
    if (this.tx) throw misuse('close')
    const root = this.root
    this.root = undefined
    if (root) await Promise.allSettled([root.sql.end({ timeout: 5 }), root.lockSql.end({ timeout: 5 })])
  }

  async ensureSystemSchema(): Promise<void> {
    await this.guard('creating the system schema', (sql) => applySystemSchema(sql))
  }

  async hasSystemSchema(): Promise<boolean> {
    return this.guard('reading the system schema', (sql) => hasSystemSchema(sql))
  }

  async lock(opts: AcquireOptions): Promise<MigrationLock> {
    if (this.tx) throw misuse('lock')
    const { sql, lockSql } = this.connected()
    return this.guard('taking the migration lock', () => acquireLock(lockSql, sql, opts))
  }

  async lockHolder(): Promise<LockHolderInfo | null> {
    return this.guard('looking up the lock holder', (sql) => findLockHolder(sql))
  }

  async run(unit: MigrationUnit, opts: RunOptions = {}): Promise<void> {
    if (unit.transactional && !this.tx) {
      await this.transaction((tx) => tx.run(unit, opts))
      return
    }
    const sql = this.query()
    const doing = `running ${unit.path}`
    if (unit.transactional) {
      if (unit.script !== undefined) {
        await this.guard(doing, async () => void (await sql.unsafe(unit.script!).simple()))
      } else {
        for (let i = 0; i < unit.statements.length; i++) {
          await this.guard(doing, async () => void (await sql.unsafe(unit.statements[i]!).simple()), { statement: i })
        }
      }
      await this.guard(doing, () => sql.unsafe(resetSession).simple())
      return
    }
    try {
      for (let i = opts.fromStatement ?? 0; i < unit.statements.length; i++) {
        const started = Date.now()
        await this.guard(`${doing} (statement ${i + 1})`, () => sql.unsafe(unit.statements[i]!).simple(), { statement: i })
        await opts.onStatement?.(i, Date.now() - started)
      }
    } finally {
      await this.guard(doing, () => sql.unsafe(resetSession).simple())
    }
  }

  async transaction<T>(fn: (tx: DatabaseDriver) => Promise<T>): Promise<T> {
    const sql = this.query()
    const run = async (txSql: Sql): Promise<T> => fn(new PostgresDriver(this.options, { parent: this, sql: txSql }))
    try {
      if (this.tx) return (await (sql as unknown as { savepoint: (f: (s: Sql) => Promise<T>) => Promise<T> }).savepoint(run)) as T
      return (await sql.begin((txSql) => run(txSql as unknown as Sql))) as T
    } catch (err) {
      throw databaseError(err, 'running a transaction', this.target.secrets)
    }
  }

  async history(): Promise<HistoryEntry[]> {
    return this.guard('reading history', (sql) => readHistory(sql))
  }

  async record(entry: HistoryEntryInput): Promise<void> {
    const error = entry.error && { ...entry.error, message: redactValues(entry.error.message, this.target.secrets) }
    await this.guard('recording history', (sql) => writeHistory(sql, { ...entry, error }))
  }

  async progress(version: string): Promise<ProgressEntry[]> {
    return this.guard('reading progress', (sql) => readProgress(sql, version))
  }

  async recordProgress(entry: ProgressInput): Promise<void> {
    await this.guard('recording progress', (sql) => writeProgress(sql, entry))
  }

  async clearProgress(version: string): Promise<void> {
    await this.guard('clearing progress', (sql) => deleteProgress(sql, version))
  }

  async audit(entry: AuditInput): Promise<void> {
    const details = redactValues(entry.details, this.target.secrets)
    await this.guard('writing the audit log', (sql) => writeAudit(sql, { ...entry, details }))
  }

  async saveRollbackScripts(version: string, manifestDigest: string, scripts: readonly RollbackScript[]): Promise<void> {
    await this.guard('keeping rollback SQL', (sql) => writeRollbackScripts(sql, version, manifestDigest, scripts))
  }

  async rollbackScripts(manifestDigest: string): Promise<RollbackScript[]> {
    return this.guard('reading rollback SQL', (sql) => readRollbackScripts(sql, manifestDigest))
  }

  async snapshotSchema(): Promise<SchemaSnapshot> {
    if (this.tx) throw misuse('snapshotSchema')
    return this.guard('reading the schema from the catalogs', (sql) => readSchemaSnapshot(sql))
  }

  /** The audit log, newest first (for `status --verbose` and tests). */
  async auditLog(limit = 100): Promise<AuditRow[]> {
    return this.guard('reading the audit log', (sql) => readAudit(sql, limit))
  }

  private query(): Sql {
    return this.tx ?? this.connected().sql
  }

  private connected(): { sql: Sql; lockSql: Sql } {
    if (!this.root) {
      throw new SquizzleError('CONNECTION_FAILED', 'the PostgreSQL driver is not connected', { hint: 'Call driver.connect() first.' })
    }
    return this.root
  }

  private async guard<T>(doing: string, fn: (sql: Sql) => Promise<T>, details: Record<string, unknown> = {}): Promise<T> {
    const sql = this.query()
    try {
      return await fn(sql)
    } catch (err) {
      const wrapped = databaseError(err, doing, this.target.secrets)
      if (Object.keys(details).length === 0) throw wrapped
      throw new SquizzleError(wrapped.code, wrapped.message, { hint: wrapped.hint, cause: wrapped.cause, details: { ...wrapped.details, ...details } })
    }
  }
}

function misuse(what: string): SquizzleError {
  return new SquizzleError('USAGE', `${what}() cannot be called on a transaction-bound driver`, {
    hint: 'Call it on the driver you connected, outside transaction().',
  })
}
