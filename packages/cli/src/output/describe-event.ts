import type { SquizzleEvent } from '@squizzle/core'
import type { Colors } from './colors.js'
import { describeFleetEvent } from './describe-fleet-event.js'
import { describeReplayCache } from './describe-replay-cache.js'
import { formatBytes, formatDuration } from './units.js'

type EventType = SquizzleEvent['type']
type EventOf<T extends EventType> = Extract<SquizzleEvent, { type: T }>
type FleetEventType = Extract<EventType, `fleet.${string}`>

/** What a renderer may use: the colors, whether --verbose is on, and how to show a file path. */
interface LineContext {
  c: Colors
  verbose: boolean
  shown: (path: string) => string
}

/** One renderer per event type: its human line, or null when the event shows nothing (or only with --verbose). */
type Renderers<T extends EventType = EventType> = { [K in T]: (e: EventOf<K>, x: LineContext) => string | null }

/**
 * One human line for an event, or null when the event is only shown with --verbose.
 * `shown` turns a file path into the one to print (relative to the working directory).
 *
 * @example
 * ```ts
 * describeEvent({ type: 'version.done', version: '1.1.0', durationMs: 16_860 }, colors, false)
 * // '✓ 1.1.0 applied in 16.9 s'
 * ```
 */
export function describeEvent(
  e: SquizzleEvent,
  c: Colors,
  verbose: boolean,
  shown: (path: string) => string = (p) => p,
): string | null {
  const render = renderers[e.type] as (e: SquizzleEvent, x: LineContext) => string | null
  return render(e, { c, verbose, shown })
}

/** Planning, the lock, and each version applied or rolled back. */
const runLines = {
  plan: (e) => (e.pending.length ? `Current ${e.current ?? '(none)'}; applying ${e.pending.join(', ')}` : null),
  'lock.waiting': (e, { verbose }) =>
    verbose || e.waitedMs < 1000 ? `Waiting for the migration lock${heldBy(e.holder)}…` : null,
  'lock.acquired': (e, { c, verbose }) => (verbose ? c.dim(`Lock acquired after ${formatDuration(e.waitedMs)}`) : null),
  'lock.released': (_e, { c, verbose }) => (verbose ? c.dim('Lock released') : null),
  'version.verify': (e, { c, verbose }) => (verbose ? c.dim(`Verifying ${e.version} (${short(e.digest)})`) : null),
  'version.start': (e, { c }) =>
    `${c.cyan('→')} ${c.bold(e.version)} ${c.dim(`${short(e.digest)}, ${count(e.files, 'file')}`)}`,
  'version.done': (e, { c }) => `${c.green('✓')} ${e.version} applied in ${formatDuration(e.durationMs)}`,
  'version.failed': (e, { c }) => {
    const what = e.operation === 'rollback' ? `rollback of ${e.version}` : e.version
    const outcome = e.code === 'CANCELLED' ? 'cancelled' : 'failed'
    return `${c.red('✗')} ${what} ${outcome}${e.resumable ? ' (resumable)' : ' (nothing kept)'}`
  },
  'version.skip': (e, { c, verbose }) => (verbose ? c.dim(`  skip ${e.reason}`) : null),
  'rollback.plan': (e) =>
    e.versions.length ? `Current ${e.current ?? '(none)'}; rolling back ${e.versions.join(', ')}` : null,
  'rollback.start': (e, { c }) =>
    `${c.cyan('←')} ${c.bold(e.version)} ${c.dim(`${short(e.digest)}, ${count(e.files, 'rollback file')}`)}`,
  'rollback.done': (e, { c }) => `${c.green('✓')} ${e.version} rolled back in ${formatDuration(e.durationMs)}`,
  'seeds.skipped': (e, { c }) =>
    `  ${c.yellow('−')} ${count(e.files.length, 'seed file')} of ${e.version} ` +
    `verified, not run ${c.dim('(seeds: false in this environment)')}`,
  'connect.retry': (e, { c }) =>
    `${c.yellow('…')} database not accepting connections yet (${e.reason}); ` +
    `retrying in ${formatDuration(e.waitMs)} ` +
    c.dim(`(${formatDuration(e.elapsedMs)} of ${formatDuration(e.timeoutMs)}, --connect-timeout)`),
  warning: (e) => `${e.message}${e.path ? ` (${e.path})` : ''}`,
} satisfies Partial<Renderers>

/** The files, statements and transactions inside a version. */
const fileLines = {
  'file.start': (e, { c, verbose }) =>
    verbose ? c.dim(`  … ${e.path}${e.transactional ? '' : ' (no transaction)'}`) : null,
  'file.done': (e, { c }) => `  ${c.green('✓')} ${e.path} ${c.dim(formatDuration(e.durationMs))}`,
  'file.resume': (e, { c }) => {
    const replayed = e.replayed > 0 ? ` (after restoring ${count(e.replayed, 'session setting')})` : ''
    return `  ${c.yellow('↻')} ${e.path} resumes at statement ${e.fromStatement + 1}${replayed}`
  },
  'file.progress': () => null,
  'index.rebuild': (e, { c }) =>
    `  ${c.yellow('↻')} ${e.path}: dropping invalid index ${e.schema}.${e.index} on ${e.table} ` +
    '(an interrupted CREATE INDEX CONCURRENTLY), to build it again',
  'statement.done': (e, { c, verbose }) =>
    verbose ? c.dim(`    statement ${e.index + 1} ${formatDuration(e.durationMs)}`) : null,
  'transaction.begin': (e, { c, verbose }) => (verbose ? c.dim(`  BEGIN (${count(e.files.length, 'file')})`) : null),
  'transaction.commit': (_e, { c, verbose }) => (verbose ? c.dim('  COMMIT') : null),
} satisfies Partial<Renderers>

/** Building, pushing, and replaying versions on a scratch database. */
const buildLines = {
  'build.file': (e, { c }) =>
    `  ${c.green('+')} ${e.path} ${c.dim(formatBytes(e.size) + (e.transactional ? '' : ', no transaction'))}`,
  'build.done': () => null,
  'push.done': (e, { c }) => `${c.green('✓')} pushed ${e.version} to ${e.storage} ${c.dim(short(e.digest))}`,
  'replay.source': (e, { c, shown }) =>
    `  ${c.cyan('↺')} ${e.versions.join(', ')} not in ${e.storage}: replayed from the repository's files, ` +
    `checked against ${shown(e.ledger)}`,
  'ledger.append': (e, { c, shown }) =>
    `  ${c.green('✓')} recorded ${e.version} in ${shown(e.ledger)} ${c.dim('(commit it with the SQL)')}`,
  'replay.prepare': (e, { c }) =>
    `  ${c.cyan('↺')} preparing a scratch database to replay up to ${e.target} ` +
    c.dim('(an embedded PostgreSQL unless --dev-url)'),
  'replay.start': (e, { c }) =>
    `  ${c.cyan('↺')} replaying ${count(e.versions, 'version')} up to ${e.target} on ${e.database}`,
  'replay.step': () => null,
  'replay.done': (e, { c }) =>
    `  ${c.green('✓')} schema snapshot: ${e.objects} objects after replaying` +
    ` ${count(e.versions, 'version')} ${c.dim(formatDuration(e.durationMs))}`,
  'replay.check': (e, { c }) =>
    e.outcome === 'passed'
      ? `  ${c.green('✓')} rollback checked: apply → rollback → apply of ${e.target} gives the same schemas` +
        ` ${c.dim(formatDuration(e.durationMs))}`
      : `  ${c.yellow('!')} rollback not checked: ${e.reason ?? 'skipped'}`,
  'replay.cache': (e, { c, shown }) => describeReplayCache(e, c, shown),
} satisfies Partial<Renderers>

// Typed as the full map, so an event type without a renderer fails the build.
/** A fleet rollout's stages and targets (see describe-fleet-event.ts). */
const fleet = (e: EventOf<FleetEventType>, { c, verbose }: LineContext) => describeFleetEvent(e, c, verbose)
const fleetLines = {
  'fleet.start': fleet,
  'fleet.stage.start': fleet,
  'fleet.target.start': fleet,
  'fleet.target.done': fleet,
  'fleet.stage.done': fleet,
  'fleet.halted': fleet,
} satisfies Partial<Renderers>

const renderers: Renderers = { ...runLines, ...fileLines, ...buildLines, ...fleetLines }

/** ` held by pid 4242 (deploy)` for a known lock holder, else nothing. */
function heldBy(holder: EventOf<'lock.waiting'>['holder']): string {
  if (!holder) return ''
  return ` held by pid ${holder.pid}${holder.applicationName ? ` (${holder.applicationName})` : ''}`
}

/** `1 file`, `3 files`. */
function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`
}

function short(digest: string): string {
  return digest.replace(/^sha256:/, '').slice(0, 12)
}
