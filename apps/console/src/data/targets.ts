import {
  checkDrift,
  isSquizzleError,
  Migrator,
  redactUrl,
  type ArtifactPolicy,
  type ArtifactStorage,
} from '@squizzle/core'
import type {
  BundleLimits,
  DatabaseDriver,
  DriftReport,
  HistoryEntry,
  LockHolderInfo,
  StatusReport,
} from '@squizzle/core'
import type { ConsoleTarget } from '../options.js'

/** How a version stands on a target, as one grid cell shows it. */
export type CellStatus = 'applied' | 'pending' | 'failed' | 'drifted' | 'tampered'

/** One run of the target's history, as the run history table shows it. */
export interface RunRow {
  id: number
  operation: string
  version: string
  status: 'success' | 'failed'
  digest: string | null
  actor: string
  host: string
  databaseUser: string | null
  startedAt: string
  finishedAt: string
  durationMs: number
  /** For a failed run: the error code and message (which names the failing file, line and statement). */
  error: { code: string; message: string } | null
  skippedFiles: string[]
}

/** A target's state: what the grid row and the target page show. */
export interface TargetOverview {
  name: string
  location: string
  /** Null when the target answered; else why it could not be read. */
  error: { code: string; message: string } | null
  current: string | null
  counts: Record<CellStatus, number>
  versions: Record<string, CellStatus>
  lock: LockHolderInfo | null
  drift: Pick<DriftReport, 'status' | 'version' | 'differences' | 'expectedServer' | 'liveServer'> | null
  /** Why drift could not be checked (e.g. `SNAPSHOT_UNSUPPORTED`, `TAMPERED`). */
  driftError: { code: string; message: string } | null
}

export interface TargetDetail extends TargetOverview {
  history: RunRow[]
}

const emptyCounts = (): Record<CellStatus, number> => ({ applied: 0, pending: 0, failed: 0, drifted: 0, tampered: 0 })

function failure(err: unknown): { code: string; message: string } {
  if (isSquizzleError(err)) return { code: err.code, message: err.message }
  return { code: 'UNEXPECTED', message: err instanceof Error ? err.message : String(err) }
}

/** Each version's cell: failed and tampered win over applied, drift marks the current version. */
function cells(report: StatusReport, drifted: boolean): Record<string, CellStatus> {
  const out: Record<string, CellStatus> = {}
  for (const a of report.applied) out[a.version] = 'applied'
  for (const p of report.pending) out[p.version] = 'pending'
  for (const f of report.failed) out[f.version] = 'failed'
  for (const t of report.tampered) out[t.version] = 'tampered'
  if (drifted && report.current && out[report.current] === 'applied') out[report.current] = 'drifted'
  return out
}

/**
 * Reads targets through the public engine (Migrator.status, checkDrift, the driver's
 * history), keeping one connected driver per target. Read-only: no lock, no writes.
 *
 * @example
 * ```ts
 * const targets = new TargetReader(storage, [target], policy)
 * const row = await targets.overview('production')
 * ```
 */
export class TargetReader {
  private readonly drivers = new Map<string, Promise<DatabaseDriver>>()

  constructor(
    private readonly storage: ArtifactStorage,
    readonly targets: readonly ConsoleTarget[],
    private readonly policy: ArtifactPolicy | undefined,
    private readonly limits: Partial<BundleLimits> | undefined,
    private readonly toolVersion: string,
  ) {}

  find(name: string): ConsoleTarget | undefined {
    return this.targets.find((t) => t.name === name)
  }

  async overview(target: ConsoleTarget): Promise<TargetOverview> {
    const base = { name: target.name, location: redactUrl(target.location), current: null, lock: null }
    try {
      const driver = await this.driver(target)
      const migrator = new Migrator({
        storage: this.storage,
        driver,
        toolVersion: this.toolVersion,
        policy: this.policy,
      })
      const report = await migrator.status()
      const drift = await this.readDrift(driver)
      const versions = cells(report, drift.drift?.status === 'drift')
      const counts = emptyCounts()
      for (const status of Object.values(versions)) counts[status]++
      return { ...base, error: null, current: report.current, counts, versions, lock: report.lock, ...drift }
    } catch (err) {
      this.forgetIfDisconnected(target, err)
      return { ...base, counts: emptyCounts(), versions: {}, drift: null, driftError: null, error: failure(err) }
    }
  }

  /** Drift against the current version's snapshot; a target that cannot be checked says why instead. */
  private async readDrift(driver: DatabaseDriver): Promise<Pick<TargetOverview, 'drift' | 'driftError'>> {
    try {
      const { status, version, differences, expectedServer, liveServer } = await checkDrift({
        storage: this.storage,
        driver,
        limits: this.limits,
      })
      return { drift: { status, version, differences, expectedServer, liveServer }, driftError: null }
    } catch (err) {
      return { drift: null, driftError: failure(err) }
    }
  }

  async detail(target: ConsoleTarget): Promise<TargetDetail> {
    const overview = await this.overview(target)
    if (overview.error) return { ...overview, history: [] }
    try {
      const driver = await this.driver(target)
      const rows = await driver.records.history()
      return { ...overview, history: rows.map(runRow).reverse() }
    } catch (err) {
      return { ...overview, error: failure(err), history: [] }
    }
  }

  /** A cheap fingerprint of the target's runs and lock: it changes when an apply starts, commits or fails. */
  async pulse(target: ConsoleTarget): Promise<string> {
    try {
      const driver = await this.driver(target)
      const rows = await driver.records.history()
      const last = rows.at(-1)
      const lock = await driver.lockHolder()
      return `${rows.length}:${last?.id ?? 0}:${last?.status ?? ''}:${lock ? `${lock.pid}@${lock.since}` : 'free'}`
    } catch (err) {
      this.forgetIfDisconnected(target, err)
      return `error:${failure(err).code}`
    }
  }

  async close(): Promise<void> {
    const open = [...this.drivers.values()]
    this.drivers.clear()
    await Promise.all(open.map(async (p) => (await p.catch(() => null))?.close()))
  }

  private driver(target: ConsoleTarget): Promise<DatabaseDriver> {
    let driver = this.drivers.get(target.name)
    if (!driver) {
      driver = target.connect()
      this.drivers.set(target.name, driver)
    }
    return driver
  }

  /** A connection that failed or broke is opened again on the next request; other errors keep it. */
  private forgetIfDisconnected(target: ConsoleTarget, err: unknown): void {
    if (isSquizzleError(err) && err.code !== 'CONNECTION_FAILED' && err.code !== 'CONNECTION_LOST') return
    const driver = this.drivers.get(target.name)
    this.drivers.delete(target.name)
    void driver?.then((d) => d.close()).catch(() => undefined)
  }
}

function runRow(entry: HistoryEntry): RunRow {
  return {
    id: entry.id,
    operation: entry.operation,
    version: entry.version,
    status: entry.status,
    digest: entry.manifestDigest,
    actor: entry.actor,
    host: entry.host,
    databaseUser: entry.databaseUser,
    startedAt: entry.startedAt.toISOString(),
    finishedAt: entry.finishedAt.toISOString(),
    durationMs: entry.durationMs,
    error: entry.error,
    skippedFiles: entry.skippedFiles ?? [],
  }
}
