import {
  SquizzleError,
  type AuditInput,
  type DatabaseDriver,
  type HistoryEntry,
  type HistoryEntryInput,
  type IndexTarget,
  type InvalidIndex,
  type LockHolderInfo,
  type MigrationLock,
  type MigrationUnit,
  type ProgressEntry,
  type ProgressInput,
  type RollbackScript,
  type RunOptions,
  type SchemaSnapshot,
  type VersionClaim,
} from '@squizzle/core'
import type { Sql } from 'postgres'
import { cancellable } from './cancellable.js'
import { acquireLock, assertLockHeld, findLockHolder, type AcquireOptions } from './advisory-lock.js'
import { claimForSession, markApplied, unmark } from './applied-rows.js'
import { parseConnectionUrl, type ConnectionTarget } from './connection-url.js'
import { sessionEnded, sessionFailure } from './connection-loss.js'
import { connectionError } from './database-error.js'
import { readAudit, type AuditRow } from './audit-rows.js'
import { deleteProgress, readHistory, readProgress, writeAudit, writeHistory, writeProgress } from './history-rows.js'
import { dropIndexConcurrently, readInvalidIndexes } from './index-rows.js'
import { redactValues } from './redact-values.js'
import { readRollbackScripts, writeRollbackScripts } from './rollback-rows.js'
import { openSessions, type Connections } from './sessions.js'
import { resetSession, runStatements } from './statement-runner.js'
import { applySystemSchema, hasSystemSchema } from './system-schema.js'
import { readSchemaSnapshot } from './schema-snapshot.js'
import { inRolledBackSavepoint, inSavepoint, inTransaction, type Session } from './work-session.js'

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

/** The connection a transaction-bound driver works on. */
interface Bound {
  sql: Sql
  session: Session
  depth: number
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
  readonly capabilities = { transactionalDdl: true, advisoryLocks: true }
  private readonly target: ConnectionTarget
  private root: Connections | undefined
  private readonly bound: Bound | undefined

  constructor(private readonly options: PostgresDriverOptions, tx?: { parent: PostgresDriver; bound: Bound }) {
    this.target = parseConnectionUrl(options.url)
    this.bound = tx?.bound
    this.root = tx?.parent.root
  }

  /** The connection URL with its password hidden. */
  get displayUrl(): string {
    return this.target.display
  }

  async connect(): Promise<void> {
    if (this.root) return
    try {
      this.root = await openSessions(this.target, this.options)
    } catch (err) {
      throw connectionError(err, this.target.display, this.target.secrets)
    }
  }

  async close(): Promise<void> {
    if (this.bound) throw misuse('close')
    const root = this.root
    this.root = undefined
    await root?.close()
  }

  async ensureSystemSchema(): Promise<void> {
    await this.guard('creating the system schema', (sql, session) =>
      applySystemSchema(sql, (fn) => this.inTransaction(session, fn)))
  }

  async hasSystemSchema(): Promise<boolean> {
    return this.guard('reading the system schema', (sql) => hasSystemSchema(sql))
  }

  async lock(opts: AcquireOptions): Promise<MigrationLock> {
    if (this.bound) throw misuse('lock')
    const root = this.connected()
    const session = root.lockSession()
    const held = await this.onSession(session, 'taking the migration lock', async () => {
      await root.exempt(session)
      return acquireLock(session, () => root.work(), opts)
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
    return this.guard('looking up the lock holder', (sql) => findLockHolder(sql))
  }

  async assertLockHeld(): Promise<void> {
    const root = this.connected()
    const held = root.held
    await this.guard('proving the migration lock is held', (sql) => assertLockHeld(sql, held, held?.session))
  }

  async claimVersion(claim: VersionClaim): Promise<void> {
    // Inside a transaction the mark commits with it; outside, a claim for this session commits at once.
    const mark = this.bound ? markApplied : claimForSession
    await this.guard(`claiming version ${claim.version}`, (sql) => mark(sql, claim))
  }

  async releaseVersion(version: string): Promise<void> {
    await this.guard(`releasing version ${version}`, (sql) => unmark(sql, version))
  }

  async invalidIndexes(on?: IndexTarget): Promise<InvalidIndex[]> {
    return this.guard('looking for invalid indexes', (sql) => readInvalidIndexes(sql, on))
  }

  async dropIndex(index: InvalidIndex): Promise<void> {
    if (this.bound) throw misuse('dropIndex')
    const doing = `dropping the invalid index ${index.schema}.${index.name}`
    await this.guard(doing, (sql) => dropIndexConcurrently(sql, index))
  }

  async run(unit: MigrationUnit, opts: RunOptions = {}): Promise<void> {
    if (unit.transactional && !this.bound) {
      await this.transaction((tx) => tx.run(unit, opts))
      return
    }
    if (!unit.transactional) return this.runStatements(unit, opts)
    const doing = `running ${unit.path}`
    const { signal } = opts
    if (unit.script !== undefined) {
      await this.guard(doing, async (sql) => void (await cancellable(sql.unsafe(unit.script!).simple(), signal)))
    } else {
      for (let i = 0; i < unit.statements.length; i++) {
        const statement = unit.statements[i]!
        const started = Date.now()
        const send = async (sql: Sql) => void (await cancellable(sql.unsafe(statement).simple(), signal))
        await this.guard(doing, send, { statement: i })
        await opts.onStatement?.(i, Date.now() - started)
      }
    }
    await this.guard(doing, (sql) => sql.unsafe(resetSession).simple())
  }

  async transaction<T>(fn: (tx: DatabaseDriver) => Promise<T>): Promise<T> {
    const bind = (sql: Sql, session: Session, depth: number) =>
      fn(new PostgresDriver(this.options, { parent: this, bound: { sql, session, depth } }))
    if (this.bound) {
      const { sql, session, depth } = this.bound
      const inner = (s: Sql) => bind(s, session, depth + 1)
      return this.onSession(session, 'running a savepoint', () => inSavepoint(session, sql, depth + 1, inner))
    }
    const session = this.connected().work()
    return this.inTransaction(session, (sql) => bind(sql, session, 0))
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
    const doing = 'reading the schema from the catalogs'
    const bound = this.bound
    if (bound) {
      // In a transaction: its uncommitted DDL is part of the picture (a rollback is checked before it commits).
      const inner = <T>(fn: (tx: Sql) => Promise<T>) => inRolledBackSavepoint(bound.session, bound.sql, bound.depth + 1, fn)
      return this.guard(doing, (sql) => readSchemaSnapshot(sql, inner))
    }
    const begin = (sql: Sql) => sql`BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY`
    return this.guard(doing, (sql, session) => readSchemaSnapshot(sql, (fn) => this.inTransaction(session, fn, begin)))
  }

  /** The audit log, newest first (for `status --verbose` and tests). */
  async auditLog(limit = 100): Promise<AuditRow[]> {
    return this.guard('reading the audit log', (sql) => readAudit(sql, limit))
  }

  private async runStatements(unit: MigrationUnit, opts: RunOptions): Promise<void> {
    const session = this.bound?.session ?? this.connected().work()
    const sql = this.bound?.sql ?? session.sql
    await runStatements(session, sql, unit, opts, (doing, fn, details) => this.onSession(session, doing, fn, details))
  }

  private inTransaction<T>(
    session: Session,
    fn: (tx: Sql) => Promise<T>,
    begin?: (sql: Sql) => Promise<unknown>,
  ): Promise<T> {
    return inTransaction(session, fn, {
      ...(begin ? { begin } : {}),
      lost: (err, during) =>
        during === 'commit'
          ? this.wrap(err, 'committing a transaction (its outcome is unknown)', session, { during: 'commit' })
          : this.wrap(err, 'running a transaction', session),
    }).catch((err: unknown) => {
      throw this.wrap(err, 'running a transaction', session)
    })
  }

  private connected(): Connections {
    if (!this.root) {
      throw new SquizzleError('CONNECTION_FAILED', 'the PostgreSQL driver is not connected', { hint: 'Call driver.connect() first.' })
    }
    return this.root
  }

  private async guard<T>(
    doing: string,
    fn: (sql: Sql, session: Session) => Promise<T>,
    details: Record<string, unknown> = {},
  ): Promise<T> {
    const session = this.bound?.session ?? this.connected().work()
    const sql = this.bound?.sql ?? session.sql
    return this.onSession(session, doing, () => fn(sql, session), details)
  }

  private async onSession<T>(
    session: Session,
    doing: string,
    fn: () => Promise<T>,
    details: Record<string, unknown> = {},
  ): Promise<T> {
    // A transaction whose session ended is gone: nothing is sent on its connection again.
    if (session.lost && this.bound) throw this.wrap(sessionEnded(), doing, session, details)
    try {
      return await fn()
    } catch (err) {
      throw this.wrap(err, doing, session, details)
    }
  }

  private wrap(err: unknown, doing: string, session: Session, details: Record<string, unknown> = {}): SquizzleError {
    return sessionFailure(err, doing, session, this.target, details)
  }
}

function misuse(what: string): SquizzleError {
  return new SquizzleError('USAGE', `${what}() cannot be called on a transaction-bound driver`, {
    hint: 'Call it on the driver you connected, outside transaction().',
  })
}
