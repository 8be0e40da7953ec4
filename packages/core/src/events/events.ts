/** What happened, as data. The CLI renders these; `--json` prints them as they are. */
export type SquizzleEvent =
  | { type: 'plan'; current: string | null; pending: string[]; target: string | null }
  | { type: 'lock.waiting'; holder: LockHolderInfo | null; waitedMs: number }
  | { type: 'lock.acquired'; waitedMs: number }
  | { type: 'lock.released' }
  | { type: 'version.verify'; version: string; digest: string }
  | { type: 'version.start'; version: string; digest: string; files: number }
  | { type: 'version.done'; version: string; durationMs: number }
  | {
      type: 'version.failed'
      version: string
      code: string
      message: string
      resumable: boolean
      operation: 'apply' | 'rollback'
    }
  | { type: 'rollback.plan'; current: string | null; versions: string[]; to: string | null }
  | { type: 'rollback.start'; version: string; digest: string; files: number }
  | { type: 'rollback.done'; version: string; durationMs: number }
  | { type: 'version.skip'; version: string; reason: string }
  /** The version's seed files were verified but not run: the environment runs no seeds (`seeds: false`). */
  | { type: 'seeds.skipped'; version: string; files: string[] }
  /**
   * Connecting failed in a way that means the server is not up yet (refused, starting up,
   * name not resolvable yet): waiting `waitMs` before attempt `attempt + 1`, within `timeoutMs`.
   */
  | {
      type: 'connect.retry'
      attempt: number
      reason: string
      message: string
      waitMs: number
      elapsedMs: number
      timeoutMs: number
    }
  | { type: 'file.start'; version: string; path: string; transactional: boolean }
  | { type: 'file.done'; version: string; path: string; durationMs: number }
  /** A non-transactional file continues at `fromStatement`, after replaying `replayed` earlier session settings. */
  | { type: 'file.resume'; version: string; path: string; fromStatement: number; replayed: number }
  /** An invalid index an interrupted `CREATE INDEX CONCURRENTLY` left is dropped, to be built again. */
  | { type: 'index.rebuild'; version: string; path: string; schema: string; index: string; table: string }
  | { type: 'statement.done'; version: string; path: string; index: number; durationMs: number }
  /**
   * How far a file is: statements (or pieces of a large transactional file) done of
   * `statements`, and its bytes done of `bytes`; after each one finished.
   */
  | {
      type: 'file.progress'
      version: string
      path: string
      done: number
      statements: number
      bytesDone: number
      bytes: number
    }
  | { type: 'transaction.begin'; version: string; files: string[] }
  | { type: 'transaction.commit'; version: string }
  | { type: 'build.file'; path: string; kind: string; size: number; transactional: boolean }
  | { type: 'build.done'; version: string; digest: string; files: number; bytes: number }
  /** The built version, once stored, was written to the release ledger. */
  | { type: 'ledger.append'; version: string; digest: string; ledger: string }
  | { type: 'push.done'; version: string; digest: string; storage: string }
  /** Released versions the storage lacks, replayed from the repository's files checked against the ledger. */
  | { type: 'replay.source'; versions: string[]; storage: string; ledger: string }
  /** Before the scratch database of a replay exists (an embedded server may take a while to start). */
  | { type: 'replay.prepare'; target: string }
  | { type: 'replay.start'; target: string; versions: number; database: string }
  /** A version replayed on the scratch database: `done` of `versions`. */
  | { type: 'replay.step'; target: string; version: string; done: number; versions: number }
  | { type: 'replay.done'; target: string; versions: number; objects: number; durationMs: number }
  /**
   * The replay's kept state (`cache`: where): `reused`, the state after `version` (stored as `digest`) was
   * restored and proven, so only `target` is replayed; `missed`, none usable (`reason`), so every version is;
   * `kept`, the state after `version` (the stored `target`) is kept for the next build; `not-kept` (`reason`).
   */
  | {
      type: 'replay.cache'
      outcome: 'reused' | 'missed' | 'kept' | 'not-kept'
      version: string
      digest: string
      target: string
      cache: string
      reason?: string
    }
  /** A `build --check` proof on the replay database: passed, or skipped with the reason. */
  | {
      type: 'replay.check'
      check: 'rollback'
      target: string
      outcome: 'passed' | 'skipped'
      reason?: string
      durationMs: number
    }
  | { type: 'warning'; code: string; message: string; version?: string; path?: string }
  /** A fleet rollout (or plan) begins: the version every target goes to, and the stages in order. */
  | { type: 'fleet.start'; version: string; targets: number; stages: string[] }
  | { type: 'fleet.stage.start'; stage: string; targets: number; parallel: number }
  | { type: 'fleet.target.start'; target: string; stage: string }
  /** One target finished: its result, versions before and after, and its error (secrets removed). */
  | {
      type: 'fleet.target.done'
      target: string
      stage: string
      result: 'applied' | 'current' | 'failed' | 'skipped'
      versionBefore: string | null
      versionAfter: string | null
      durationMs: number
      error: { code: string; message: string } | null
    }
  | { type: 'fleet.stage.done'; stage: string; targets: number; failed: number }
  /** The rollout stops starting targets: `reason` says which threshold or signal. */
  | { type: 'fleet.halted'; stage: string; reason: string }

/** Who holds the migration lock, as far as the database can tell. */
export interface LockHolderInfo {
  pid: number
  applicationName: string | null
  clientAddress: string | null
  user: string | null
  since: string | null
}

/** Receives events. The default is a no-op; core never prints. */
export type EventSink = (event: SquizzleEvent) => void

/** An event sink that drops everything. */
export const ignoreEvents: EventSink = () => {}
