import type {
  AuditInput,
  HistoryEntry,
  HistoryEntryInput,
  KeptFile,
  Manifest,
  ProgressEntry,
  ProgressInput,
  RecordStore,
  VersionClaim,
} from '@squizzle/core'
import type { Sql } from 'postgres'
import { claimForSession, markApplied, unmark } from './applied-rows.js'
import {
  deleteProgress,
  readHistory,
  readHistoryManifest,
  readProgress,
  writeAudit,
  writeHistory,
  writeProgress,
} from './history-rows.js'
import { redactValues } from './redact-values.js'
import { readKeptFiles, writeKeptFiles } from './rollback-rows.js'
import type { Query } from './session-query.js'
import { applySystemSchema, type SchemaPresence } from './system-schema.js'
import type { TenantScope } from './tenant-schema.js'

/** How a record store reaches the database. */
export interface RecordConnection {
  query: Query
  /** Runs `fn` in a transaction (inside an open one: in it). */
  transact: <T>(fn: (tx: Sql) => Promise<T>) => Promise<T>
  /** True for the store of an open transaction: a version claim there marks it applied. */
  inTransaction: boolean
  /** Values never stored in error messages and audit details (the connection's password). */
  secrets: readonly string[]
  /** Whose records these are: the system schema they live in (and the tenant schema it serves). */
  scope: TenantScope
  /** What the connection has seen of the system schema; updated as it is seen or created. */
  presence: SchemaPresence
}

/**
 * Squizzle's records in the scope's system schema (`squizzle`, or `squizzle_<tenant>`):
 * each method one parameterized query (or a few) on the connection it was given.
 *
 * @example
 * ```ts
 * const records = new PostgresRecords({ query, transact, inTransaction: false, secrets, scope })
 * await records.addAudit({ operation: 'apply', outcome: 'success', version: '1.0.0', actor, host, details: {} })
 * ```
 */
export class PostgresRecords implements RecordStore {
  private readonly system: string

  constructor(private readonly connection: RecordConnection) {
    this.system = connection.scope.system
  }

  async ensureSchema(): Promise<void> {
    const { query, transact, scope, presence } = this.connection
    await query('creating the system schema', (sql) => applySystemSchema(sql, transact, scope, presence))
    presence.seen = true
  }

  async history(): Promise<HistoryEntry[]> {
    const { presence } = this.connection
    return this.connection.query('reading history', (sql) => readHistory(sql, this.system, presence))
  }

  async historyManifest(id: number): Promise<Manifest | null> {
    const { presence } = this.connection
    return this.connection.query(`reading the manifest of history row ${id}`, (sql) =>
      readHistoryManifest(sql, this.system, id, presence),
    )
  }

  async addHistory(entry: HistoryEntryInput): Promise<void> {
    const error = entry.error && { ...entry.error, message: redactValues(entry.error.message, this.connection.secrets) }
    await this.connection.query('recording history', (sql) => writeHistory(sql, this.system, { ...entry, error }))
  }

  async progress(version: string): Promise<ProgressEntry[]> {
    return this.connection.query('reading progress', (sql) => readProgress(sql, this.system, version))
  }

  async addProgress(entry: ProgressInput): Promise<void> {
    await this.connection.query('recording progress', (sql) => writeProgress(sql, this.system, entry))
  }

  async clearProgress(version: string): Promise<void> {
    await this.connection.query('clearing progress', (sql) => deleteProgress(sql, this.system, version))
  }

  async addAudit(entry: AuditInput): Promise<void> {
    const details = redactValues(entry.details, this.connection.secrets)
    await this.connection.query('writing the audit log', (sql) => writeAudit(sql, this.system, { ...entry, details }))
  }

  async claimVersion(claim: VersionClaim): Promise<void> {
    // Inside a transaction the mark commits with it; outside, a claim for this session commits at once.
    const mark = this.connection.inTransaction ? markApplied : claimForSession
    await this.connection.query(`claiming version ${claim.version}`, (sql) => mark(sql, this.system, claim))
  }

  async releaseVersion(version: string): Promise<void> {
    await this.connection.query(`releasing version ${version}`, (sql) => unmark(sql, this.system, version))
  }

  async keepFiles(version: string, manifestDigest: string, files: readonly KeptFile[]): Promise<void> {
    await this.connection.query('keeping rollback SQL', (sql) =>
      writeKeptFiles(sql, this.system, version, manifestDigest, files),
    )
  }

  async keptFiles(manifestDigest: string): Promise<KeptFile[]> {
    return this.connection.query('reading rollback SQL', (sql) => readKeptFiles(sql, this.system, manifestDigest))
  }
}
