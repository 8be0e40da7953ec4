import type { SquizzleEvent } from '@squizzle/core'
import type { Colors } from './colors.js'
import { describeReplayCache } from './describe-replay-cache.js'
import { formatBytes, formatDuration } from './units.js'

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
  switch (e.type) {
    case 'plan':
      return e.pending.length ? `Current ${e.current ?? '(none)'}; applying ${e.pending.join(', ')}` : null
    case 'lock.waiting':
      return verbose || e.waitedMs < 1000
        ? `Waiting for the migration lock${e.holder ? ` held by pid ${e.holder.pid}${e.holder.applicationName ? ` (${e.holder.applicationName})` : ''}` : ''}…`
        : null
    case 'lock.acquired':
      return verbose ? c.dim(`Lock acquired after ${formatDuration(e.waitedMs)}`) : null
    case 'lock.released':
      return verbose ? c.dim('Lock released') : null
    case 'version.verify':
      return verbose ? c.dim(`Verifying ${e.version} (${short(e.digest)})`) : null
    case 'version.start':
      return `${c.cyan('→')} ${c.bold(e.version)} ${c.dim(`${short(e.digest)}, ${e.files} file${e.files === 1 ? '' : 's'}`)}`
    case 'version.done':
      return `${c.green('✓')} ${e.version} applied in ${formatDuration(e.durationMs)}`
    case 'version.failed': {
      const what = e.operation === 'rollback' ? `rollback of ${e.version}` : e.version
      const outcome = e.code === 'CANCELLED' ? 'cancelled' : 'failed'
      return `${c.red('✗')} ${what} ${outcome}${e.resumable ? ' (resumable)' : ' (nothing kept)'}`
    }
    case 'rollback.plan':
      return e.versions.length ? `Current ${e.current ?? '(none)'}; rolling back ${e.versions.join(', ')}` : null
    case 'rollback.start':
      return `${c.cyan('←')} ${c.bold(e.version)} ${c.dim(`${short(e.digest)}, ${e.files} rollback file${e.files === 1 ? '' : 's'}`)}`
    case 'rollback.done':
      return `${c.green('✓')} ${e.version} rolled back in ${formatDuration(e.durationMs)}`
    case 'seeds.skipped':
      return (
        `  ${c.yellow('−')} ${e.files.length} seed file${e.files.length === 1 ? '' : 's'} of ${e.version} ` +
        `verified, not run ${c.dim('(seeds: false in this environment)')}`
      )
    case 'connect.retry':
      return (
        `${c.yellow('…')} database not accepting connections yet (${e.reason}); ` +
        `retrying in ${formatDuration(e.waitMs)} ` +
        c.dim(`(${formatDuration(e.elapsedMs)} of ${formatDuration(e.timeoutMs)}, --connect-timeout)`)
      )
    case 'version.skip':
      return verbose ? c.dim(`  skip ${e.reason}`) : null
    case 'file.start':
      return verbose ? c.dim(`  … ${e.path}${e.transactional ? '' : ' (no transaction)'}`) : null
    case 'file.done':
      return `  ${c.green('✓')} ${e.path} ${c.dim(formatDuration(e.durationMs))}`
    case 'file.resume': {
      const settings = `${e.replayed} session setting${e.replayed === 1 ? '' : 's'}`
      const replayed = e.replayed > 0 ? ` (after restoring ${settings})` : ''
      return `  ${c.yellow('↻')} ${e.path} resumes at statement ${e.fromStatement + 1}${replayed}`
    }
    case 'index.rebuild':
      return (
        `  ${c.yellow('↻')} ${e.path}: dropping invalid index ${e.schema}.${e.index} on ${e.table} ` +
        '(an interrupted CREATE INDEX CONCURRENTLY), to build it again'
      )
    case 'statement.done':
      return verbose ? c.dim(`    statement ${e.index + 1} ${formatDuration(e.durationMs)}`) : null
    case 'transaction.begin':
      return verbose ? c.dim(`  BEGIN (${e.files.length} file${e.files.length === 1 ? '' : 's'})`) : null
    case 'transaction.commit':
      return verbose ? c.dim('  COMMIT') : null
    case 'build.file':
      return `  ${c.green('+')} ${e.path} ${c.dim(formatBytes(e.size) + (e.transactional ? '' : ', no transaction'))}`
    case 'build.done':
      return null
    case 'push.done':
      return `${c.green('✓')} pushed ${e.version} to ${e.storage} ${c.dim(short(e.digest))}`
    case 'replay.source':
      return (
        `  ${c.cyan('↺')} ${e.versions.join(', ')} not in ${e.storage}: replayed from the repository's files, ` +
        `checked against ${shown(e.ledger)}`
      )
    case 'ledger.append':
      return `  ${c.green('✓')} recorded ${e.version} in ${shown(e.ledger)} ${c.dim('(commit it with the SQL)')}`
    case 'replay.prepare':
      return (
        `  ${c.cyan('↺')} preparing a scratch database to replay up to ${e.target} ` +
        c.dim('(an embedded PostgreSQL unless --dev-url)')
      )
    case 'replay.start': {
      const versions = `${e.versions} version${e.versions === 1 ? '' : 's'}`
      return `  ${c.cyan('↺')} replaying ${versions} up to ${e.target} on ${e.database}`
    }
    case 'replay.cache':
      return describeReplayCache(e, c, shown)
    case 'replay.step':
    case 'file.progress':
      return null
    case 'replay.done':
      return (
        `  ${c.green('✓')} schema snapshot: ${e.objects} objects after replaying` +
        ` ${e.versions} version${e.versions === 1 ? '' : 's'} ${c.dim(formatDuration(e.durationMs))}`
      )
    case 'replay.check':
      return e.outcome === 'passed'
        ? `  ${c.green('✓')} rollback checked: apply → rollback → apply of ${e.target} gives the same schemas` +
            ` ${c.dim(formatDuration(e.durationMs))}`
        : `  ${c.yellow('!')} rollback not checked: ${e.reason ?? 'skipped'}`
    case 'warning':
      return `${e.message}${e.path ? ` (${e.path})` : ''}`
  }
}

function short(digest: string): string {
  return digest.replace(/^sha256:/, '').slice(0, 12)
}
