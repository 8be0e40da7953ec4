import semver from 'semver'
import type { BundleLimits } from '../bundle/limits.js'
import type { DatabaseDriver, HistoryEntry, InvalidIndex } from '../driver/database-driver.js'
import { SquizzleError } from '../errors/squizzle-error.js'
import type { Manifest } from '../manifest/manifest.js'
import { ignoreEvents, type EventSink, type LockHolderInfo } from '../events/events.js'
import type { ArtifactPolicy } from '../signing/signing.js'
import type { ArtifactStorage, PulledArtifact, VersionInfo } from '../storage/artifact-storage.js'
import { chainBreaks, unchainedError, type ChainBreak } from './chain.js'
import { currentActor, type Actor } from './actor.js'
import { cancelled } from './cancellation.js'
import { dryRunVersion, type DryRunVersion } from './dry-run.js'
import { deriveState, type HistoryState } from './history-state.js'
import { baselineVersion, type BaselineOptions, type BaselineResult } from './baseline.js'
import { schemaBeforeFirst } from './kept-snapshots.js'
import { guarded, readState, underLock, type OperationContext } from './operation.js'
import { repairFailures, type RepairOptions, type RepairResult } from './repair.js'
import { rollbackVersions, type RollbackOptions, type RollbackResult } from './rollback.js'
import { computePlan, type Plan } from './plan.js'
import { isStreamedFile } from './run-files.js'
import { runVersion } from './run-version.js'
import { appliedRows, failedRunRows, pendingRows } from './status-rows.js'
import { verifyPulled, type VerifiedArtifact, type VerifyReport } from './verify-version.js'
import { assertPinned, parsePinnedVersion, type PinnedVersion } from '../version/pinned-version.js'

export interface MigratorOptions {
  storage: ArtifactStorage
  /** A connected driver; the migrator never opens or closes it. */
  driver: DatabaseDriver
  /** The version of the tool recorded in history (e.g. the CLI's). */
  toolVersion: string
  events?: EventSink
  actor?: Actor
  /** How long to wait for another migrator's lock; default 60 s. */
  lockTimeoutMs?: number
  limits?: Partial<BundleLimits>
  /**
   * Apply versions older than the current one that were never applied. They are
   * off the line of versions by definition, so the chain check skips them;
   * versions above the current one are always chain-checked (see `allowUnchained`).
   */
  allowOutOfOrder?: boolean
  /**
   * Apply a version even though it was not built on what the database has below it
   * (its previousVersion / previousDigest); each such version is announced in a
   * `warning` event and its audit row says the check was overridden. Off by default:
   * apply then refuses with `UNCHAINED_VERSION` before running anything.
   */
  allowUnchained?: boolean
  /** Signature and trust checks run on every version before its SQL. */
  policy?: ArtifactPolicy
  /**
   * Run the `seed/` files of each version (default true). False: they are still
   * verified with every other byte, but not run; each such version emits
   * `seeds.skipped`, and its history row and audit row name the files.
   */
  seeds?: boolean
  /**
   * Every pending version is verified before the first one runs. Verified files
   * are kept in memory, and run from there, while all kept versions total at
   * most this many bytes; the others are streamed again when they run (re-checked
   * against the digest and every file's SHA-256). A version holding a transactional
   * file above 8 MiB (without its own BEGIN/COMMIT) is never kept: that file runs
   * piece by piece as it is read again, its SHA-256 checked before its transaction
   * commits. So memory stays bounded by this budget and the largest other file. Default 64 MiB.
   */
  keepVerifiedBytes?: number
}

const defaultKeepVerifiedBytes = 64 * 1024 * 1024

/** How one apply runs. */
export interface ApplyOptions {
  /**
   * Stops the apply at the next safe point (before a version, a transaction, a file,
   * a statement outside a transaction) and cancels the statement running: it throws
   * `CANCELLED`, whose message and details (`committed`, `resumeAt`) say what the
   * database holds. An open transaction rolls back; a later apply resumes.
   */
  signal?: AbortSignal
}

export interface ApplyResult {
  applied: string[]
  current: string | null
  /** True when there was nothing to apply. */
  alreadyCurrent: boolean
}

export interface StatusReport {
  current: string | null
  /**
   * `durationMs`: how long the run that applied it took; `notes`: the manifest's release notes;
   * `skippedFiles`: what the apply deliberately did not run (seed files in an environment without seeds).
   */
  applied: {
    version: string
    digest: string | null
    appliedAt: string
    actor: string
    operation: string
    durationMs: number
    notes: string | null
    skippedFiles: string[]
  }[]
  pending: { version: string; digest: string; outOfOrder: boolean; notes: string | null }[]
  /** Unresolved failed runs; `operation` says which operation to run again (or repair). */
  failed: { version: string; operation: string; at: string; code: string; message: string; resumable: boolean }[]
  /**
   * Indexes whose build never finished (an interrupted or failed `CREATE INDEX
   * CONCURRENTLY`): maintained on every write, never used. Null when the driver cannot tell.
   */
  invalidIndexes: InvalidIndex[] | null
  /** The newest baselined version, or null. */
  baseline: string | null
  tampered: Plan['tampered']
  /** Where the line of versions from the database's current one on is broken. */
  chain: ChainStatus
  lock: LockHolderInfo | null
}

/** What `status` knows about the chain of versions. */
export interface ChainStatus {
  /** The database's current version, when the storage does not hold it: nothing stored can be checked against it. */
  currentNotStored: { version: string; digest: string | null } | null
  /** Pending versions apply would refuse: not built on what the database (or the version before them) has. */
  unchained: ChainBreak[]
}

/**
 * Plans, applies, verifies and reports versions from a storage to a database.
 *
 * @example
 * ```ts
 * const migrator = new Migrator({ storage, driver, toolVersion: '0.1.0', events: console.log })
 * const plan = await migrator.plan()
 * await migrator.apply()            // every pending version, each once, under the lock
 * const status = await migrator.status()
 * ```
 */
export class Migrator {
  private readonly events: EventSink
  private readonly actor: Actor

  constructor(private readonly options: MigratorOptions) {
    this.events = options.events ?? ignoreEvents
    this.actor = options.actor ?? currentActor()
  }

  /** Pending versions up to `target`, without changing anything (no lock, no system schema). */
  async plan(target?: string): Promise<Plan> {
    return (await this.planWithState(target)).plan
  }

  /**
   * Applies every pending version up to `target` (default: latest), each in order,
   * each verified before its SQL runs, under the database-wide lock.
   */
  async apply(target?: string, options: ApplyOptions = {}): Promise<ApplyResult> {
    const { signal } = options
    const pin = target === undefined ? null : parsePinnedVersion(target)
    const upToDate = await this.alreadyApplied(pin)
    if (upToDate) return upToDate
    // underLock re-reads history under the lock: another process may have applied versions while we waited.
    return underLock(this.operationContext(), async (state) => {
      const { plan, pulled, overridden, verified } = await this.prepareApply(state, pin)
      const applied: string[] = []
      for (const [i, artifact] of pulled.entries()) {
        if (signal?.aborted) throw cancelledBetween(artifact.manifest.version, applied.at(-1) ?? plan.current)
        const broken = overridden.get(artifact.manifest.version)
        await this.applyVersion(state, artifact, verified[i]!, { first: applied.length === 0, broken, signal })
        applied.push(artifact.manifest.version)
      }
      return { applied, current: applied.at(-1) ?? plan.current, alreadyCurrent: applied.length === 0 }
    })
  }

  /**
   * Under the lock, before anything runs: plans, refuses tampering and a pin that does not hold,
   * pulls, chain-checks and verifies every pending version.
   */
  private async prepareApply(state: HistoryState, pin: PinnedVersion | null) {
    const plan = await this.guarded('apply', null, () => this.planFrom(state, pin?.version))
    this.events({
      type: 'plan',
      current: plan.current,
      pending: plan.pending.map((p) => p.version),
      target: plan.target,
    })
    if (plan.tampered.length > 0) await this.refuse('apply', plan.tampered[0]!.version, tamperedError(plan.tampered))
    if (pin) await this.guarded('apply', pin.version, () => this.checkPin(pin, plan, state))
    // Pulling validates each manifest (schema, checksum, tag): a hostile one is refused and audited
    // like any integrity failure.
    const pulled = await this.guarded('apply', plan.pending[0]?.version ?? null, () => this.pullPending(plan))
    const overridden = await this.checkChain(pulled, state, true)
    // Every byte of every pending version first: a hostile 1.1.0 must stop 1.0.0 from running too.
    const verified = await this.verifyAll(pulled)
    return { plan, pulled, overridden, verified }
  }

  /** Runs one verified version, then writes its audit row. */
  private async applyVersion(
    state: HistoryState,
    artifact: PulledArtifact,
    verified: VerifiedArtifact,
    step: { first: boolean; broken: ChainBreak | undefined; signal: AbortSignal | undefined },
  ): Promise<void> {
    const { driver } = this.options
    const version = artifact.manifest.version
    // The first version on a database keeps the schema from before it, for its rollback's check.
    const schemaBefore = step.first ? await schemaBeforeFirst(driver, state, version, this.events) : null
    const skippedSeeds = this.skippedSeeds(artifact.manifest)
    const skipKinds = skippedSeeds.length > 0 ? (['seed'] as const) : []
    const ctx = { ...this.runContext(), signal: step.signal }
    const run = () => runVersion(ctx, artifact, verified.contents, { skipKinds, schemaBefore })
    await this.guarded('apply', version, run, 'failure')
    const signer = verified.identity ? { signer: verified.identity } : {}
    const seeds = skippedSeeds.length > 0 ? { skippedSeeds } : {}
    const override = overrideDetails(step.broken)
    const details = { digest: artifact.ref.digest, ...signer, ...seeds, ...override }
    const { user: actor, host } = this.actor
    await driver.records.addAudit({ operation: 'apply', outcome: 'success', version, actor, host, details })
  }

  /** What `apply(target)` would run: versions, transaction boundaries, statements. Changes nothing. */
  async dryRun(target?: string): Promise<{ plan: Plan; versions: DryRunVersion[] }> {
    const pin = target === undefined ? null : parsePinnedVersion(target)
    const { plan, state } = await this.planWithState(pin?.version)
    if (plan.tampered.length > 0) throw tamperedError(plan.tampered)
    if (pin) await this.checkPin(pin, plan, state)
    const versions: DryRunVersion[] = []
    const pulled = await this.pullPending(plan)
    await this.checkChain(pulled, state, false)
    for (const artifact of pulled) {
      await verifyPulled(this.options.storage, artifact, this.verifyOptions())
      const skipKinds = this.skippedSeeds(artifact.manifest).length > 0 ? (['seed'] as const) : []
      versions.push(await dryRunVersion(artifact, this.options.limits, { skipKinds }))
    }
    return { plan, versions }
  }

  /**
   * Undoes the current version, or every applied version above `to`, newest
   * first, with the rollback SQL the database kept when it applied them (no
   * storage needed), each migration's rollback file in reverse migration order.
   * Each version runs under the lock like apply (one transaction by default,
   * non-transactional files statement by statement and resumable). Before its
   * `rollback` history row is written, in the same transaction, the live schema
   * is compared with the snapshot of the version it returns to: a difference
   * throws `ROLLBACK_INCOMPLETE` (the transaction, if it was one, changes
   * nothing) unless `force`; `checks` says how each version compared. Refuses
   * irreversible and baselined versions before running anything. `dryRun`
   * returns the SQL only.
   *
   * @example
   * ```ts
   * const { rolledBack, current } = await migrator.rollback({ to: '1.0.0' })
   * const { versions } = await migrator.rollback({ dryRun: true }) // what would run
   * ```
   */
  async rollback(options: RollbackOptions = {}): Promise<RollbackResult> {
    return rollbackVersions(this.operationContext(), options)
  }

  /**
   * Marks an existing database as being at `version` without running SQL; audited.
   * Refuses a live schema that differs from the version's snapshot
   * (`BASELINE_MISMATCH`), a version without one (`SNAPSHOT_MISSING`), and a
   * database where Squizzle already applied versions, unless `force`.
   *
   * @example
   * ```ts
   * await migrator.baseline('1.4.0')
   * ```
   */
  async baseline(version: string, options: BaselineOptions = {}): Promise<BaselineResult> {
    return baselineVersion(this.operationContext(), version, options)
  }

  /**
   * Resolves failed runs after their cause was fixed, so status is clean and
   * the next run proceeds: `resume` (default) continues at the failed step,
   * `restart` forgets recorded progress. Audited.
   *
   * @example
   * ```ts
   * await migrator.repair({ version: '1.3.0', mode: 'restart' })
   * ```
   */
  async repair(options: RepairOptions = {}): Promise<RepairResult> {
    return repairFailures(this.operationContext(), options)
  }

  /**
   * The unresolved failed runs, oldest first, from the database's history alone (the
   * storage is not read, so this works while it is unreachable).
   *
   * @example
   * ```ts
   * for (const run of await migrator.failedRuns()) console.log(run.version, run.error?.code)
   * ```
   */
  async failedRuns(): Promise<HistoryEntry[]> {
    return (await this.readState()).failed
  }

  /** Current version, history, pending versions, unresolved failures, tampering and the lock holder. */
  async status(): Promise<StatusReport> {
    const { storage, driver } = this.options
    const state = await this.readState()
    const stored = await storage.list()
    const plan = computePlan({ stored, state, allowOutOfOrder: true })
    const manifests = new Map<string, Manifest>()
    for (const p of plan.pending) manifests.set(p.version, (await storage.pull(p.version)).manifest)
    const failed = await failedRunRows(driver, state)
    return {
      current: state.current,
      applied: appliedRows(state),
      pending: pendingRows(plan, state, manifests),
      failed,
      baseline: state.baseline,
      tampered: plan.tampered,
      chain: this.chainStatus(stored, plan, state, manifests),
      lock: await driver.lockHolder(),
      invalidIndexes: driver.invalidIndexes ? await driver.invalidIndexes() : null,
    }
  }

  /**
   * Verifies a stored version as apply would, and checks it is the artifact the
   * database recorded when it was applied (`TAMPERED` otherwise). `1.7.0@sha256:…`
   * also requires the tag to resolve to that digest (`PINNED_DIGEST_MISMATCH`).
   */
  async verify(reference: string): Promise<VerifyReport & { applied: boolean }> {
    const pin = parsePinnedVersion(reference)
    const version = pin.version
    const pulled = await this.options.storage.pull(version)
    assertPinned(pin, pulled.ref.digest, this.options.storage.name)
    const { contents: _contents, ...report } = await verifyPulled(this.options.storage, pulled, this.verifyOptions())
    const state = await this.readState()
    const record = state.applied.find((e) => e.version === version)
    if (record?.manifestDigest && record.manifestDigest !== report.digest) {
      throw tamperedError([{ version, applied: record.manifestDigest, stored: report.digest }])
    }
    return { ...report, applied: record !== undefined }
  }

  /**
   * The result of an apply with nothing to do, found without the lock: the history as read
   * now leaves nothing pending up to the target and nothing tampered. Runs in pipelines are
   * mostly no-ops, and this one costs one read of the history instead of a lock round trip
   * and the system schema check. Null whenever there may be work or a refusal (pending or
   * tampered versions, an error, a pin that does not hold, a database with no history yet,
   * whose system schema apply creates):
   * the locked path then reads everything again and decides.
   */
  private async alreadyApplied(pin: PinnedVersion | null): Promise<ApplyResult | null> {
    let plan: Plan
    try {
      const { driver } = this.options
      const history = await driver.records.history()
      // Nothing recorded yet (maybe no system schema at all): the locked path sets it up.
      if (history.length === 0) return null
      const state = deriveState(history)
      plan = await this.planFrom(state, pin?.version)
      // A pin that does not hold is refused (and audited) by the locked path.
      if (pin) await this.checkPin(pin, plan, state)
    } catch {
      return null
    }
    if (plan.pending.length > 0 || plan.tampered.length > 0) return null
    this.events({ type: 'plan', current: plan.current, pending: [], target: plan.target })
    return { applied: [], current: plan.current, alreadyCurrent: true }
  }

  /** Verifies each pulled version in order, keeping files in memory within the `keepVerifiedBytes` budget. */
  private async verifyAll(pulled: readonly PulledArtifact[]): Promise<VerifiedArtifact[]> {
    let budget = this.options.keepVerifiedBytes ?? defaultKeepVerifiedBytes
    const verified: VerifiedArtifact[] = []
    for (const artifact of pulled) {
      // A version with a file run piece by piece is read again to run: keeping it would hold that file.
      const streamed = artifact.manifest.files.some(isStreamedFile)
      const options = { ...this.verifyOptions(), keepFilesUpTo: streamed ? 0 : budget }
      const { version } = artifact.manifest
      const v = await this.guarded('apply', version, () => verifyPulled(this.options.storage, artifact, options))
      if (v.contents) budget -= v.bytes
      verified.push(v)
    }
    return verified
  }

  private async planWithState(target: string | undefined): Promise<{ plan: Plan; state: HistoryState }> {
    const state = await this.readState()
    return { plan: await this.planFrom(state, target), state }
  }

  private async planFrom(state: HistoryState, target: string | undefined): Promise<Plan> {
    return computePlan({
      stored: await this.options.storage.list(),
      state,
      target,
      allowOutOfOrder: this.options.allowOutOfOrder,
    })
  }

  private async readState(): Promise<HistoryState> {
    return readState(this.options.driver)
  }

  /**
   * Refuses a pinned target whose digest is not the pin: the stored one when it is
   * pending (earlier pending versions are held to it by the chain check), else the
   * one the database applied, else whatever the storage now has.
   */
  private async checkPin(pin: PinnedVersion, plan: Plan, state: HistoryState): Promise<void> {
    const pending = plan.pending.find((p) => p.version === pin.version)
    if (pending) return assertPinned(pin, pending.digest, this.options.storage.name)
    const applied = state.applied.find((e) => e.version === pin.version)?.manifestDigest
    if (applied) return assertPinned(pin, applied, 'the database')
    assertPinned(pin, (await this.options.storage.pull(pin.version)).ref.digest, this.options.storage.name)
  }

  /** The version's seed files this migrator leaves out (none unless `seeds: false`), announced as skipped. */
  private skippedSeeds(manifest: Manifest): string[] {
    if (this.options.seeds !== false) return []
    const files = manifest.files.filter((f) => f.kind === 'seed').map((f) => f.path)
    if (files.length > 0) this.events({ type: 'seeds.skipped', version: manifest.version, files })
    return files
  }

  /** Pulls every pending version's manifest, refusing one whose stored digest is not the one planned. */
  private async pullPending(plan: Plan): Promise<PulledArtifact[]> {
    const pulled: PulledArtifact[] = []
    for (const p of plan.pending) {
      const artifact = await this.options.storage.pull(p.version)
      if (artifact.ref.digest !== p.digest)
        throw tamperedError([{ version: p.version, applied: p.digest, stored: artifact.ref.digest }])
      pulled.push(artifact)
    }
    return pulled
  }

  /**
   * Refuses (`UNCHAINED_VERSION`, audited as refused when `audit`) the first pending
   * version not built on what precedes it, before anything runs; with
   * `allowUnchained`, warns and returns the breaks by version so their audit rows say so.
   */
  private async checkChain(
    pulled: readonly PulledArtifact[],
    state: HistoryState,
    audit: boolean,
  ): Promise<Map<string, ChainBreak>> {
    const pending = pulled.map((p) => ({ manifest: p.manifest, digest: p.ref.digest }))
    const breaks = chainBreaks(pending, state, this.options.allowOutOfOrder === true)
    const first = breaks[0]
    if (first === undefined) return new Map()
    if (!this.options.allowUnchained) {
      if (audit) await this.refuse('apply', first.version, unchainedError(first))
      throw unchainedError(first)
    }
    for (const b of breaks) {
      const message = `${unchainedError(b).message}; applying it anyway (unchained versions allowed, audited)`
      this.events({ type: 'warning', code: 'UNCHAINED_VERSION', version: b.version, message })
    }
    return new Map(breaks.map((b) => [b.version, b]))
  }

  /** The current version's presence in storage and the chain breaks among pending versions above it. */
  private chainStatus(
    stored: readonly VersionInfo[],
    plan: Plan,
    state: HistoryState,
    manifests: Map<string, Manifest>,
  ): ChainStatus {
    const current = state.applied.at(-1) ?? null
    const missing = current !== null && !stored.some((v) => v.version === current.version)
    const currentNotStored = missing ? { version: current.version, digest: current.manifestDigest } : null
    const candidates: { manifest: Manifest; digest: string }[] = []
    for (const p of plan.pending) {
      if (state.current !== null && semver.lt(p.version, state.current)) continue
      candidates.push({ manifest: manifests.get(p.version)!, digest: p.digest })
    }
    return { currentNotStored, unchained: chainBreaks(candidates, state, true) }
  }

  private async guarded<T>(
    operation: string,
    version: string | null,
    fn: () => Promise<T>,
    outcome: 'refused' | 'failure' = 'refused',
  ): Promise<T> {
    return guarded(this.operationContext(), operation, version, fn, outcome)
  }

  private async refuse(operation: string, version: string, error: SquizzleError): Promise<never> {
    return this.guarded(operation, version, () => Promise.reject(error))
  }

  private operationContext(): OperationContext {
    const { driver, storage, toolVersion, limits } = this.options
    return {
      driver,
      storage,
      toolVersion,
      limits,
      events: this.events,
      actor: this.actor,
      lockTimeoutMs: this.options.lockTimeoutMs ?? 60_000,
    }
  }

  private verifyOptions() {
    return { policy: this.options.policy, limits: this.options.limits, events: this.events }
  }

  private runContext() {
    return {
      driver: this.options.driver,
      events: this.events,
      actor: this.actor,
      toolVersion: this.options.toolVersion,
      limits: this.options.limits,
    }
  }
}

/** Cancelled between versions: nothing of `next` started; the database is at `current`. */
function cancelledBetween(next: string, current: string | null): SquizzleError {
  const error = cancelled(`before ${next} started; the database is at ${current ?? '(no version)'}`)
  const details = { version: next, committed: 'nothing', resumeAt: null, resumable: false, current }
  return new SquizzleError('CANCELLED', error.message, { hint: error.hint, details })
}

/** What an apply's audit row adds when the chain check was overridden for the version. */
function overrideDetails(broken: ChainBreak | undefined): Record<string, unknown> {
  return broken ? { overridden: { code: 'UNCHAINED_VERSION', builtOn: broken.builtOn, database: broken.database } } : {}
}

function tamperedError(tampered: Plan['tampered']): SquizzleError {
  const first = tampered[0]!
  return new SquizzleError(
    'TAMPERED',
    `version ${first.version} was applied as ${first.applied}, but storage now holds ${first.stored}`,
    {
      hint:
        'A released version was replaced in storage. Restore the original artifact (the applied digest) and ' +
        'investigate who re-pointed the tag.',
      details: { tampered },
    },
  )
}
