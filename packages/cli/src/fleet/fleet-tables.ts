import type { FleetStatus, RolloutPlan, RolloutReport } from '@squizzle/core'
import type { Reporter } from '../output/reporter.js'
import { table } from '../output/table.js'
import { formatDuration } from '../output/units.js'

const none = '(none)'
const errorText = (e: { code: string; message: string } | null) => (e ? `${e.code}: ${e.message}` : '')

/**
 * Prints a rollout's report: one row per target, then the totals and why it halted.
 *
 * @example
 * ```ts
 * printRolloutReport(ctx.reporter, report, ctx.outputWidth())
 * ```
 */
export function printRolloutReport(r: Reporter, report: RolloutReport, width: number): void {
  const rows = report.targets.map((t) => [
    t.name,
    t.stage ?? '-',
    t.result,
    t.versionBefore ?? none,
    t.versionAfter ?? none,
    t.result === 'skipped' ? '' : formatDuration(t.durationMs),
    t.error ? errorText(t.error) : (t.reason ?? ''),
  ])
  const columns = ['TARGET', 'STAGE', 'RESULT', 'BEFORE', 'AFTER', 'TIME'].map((heading) => ({ heading }))
  for (const line of table([...columns, { heading: 'ERROR', flexible: true }], rows, width)) r.result(line)
  const { applied, current, failed, skipped } = report.totals
  const summary = `${applied} applied, ${current} already current, ${failed} failed, ${skipped} skipped`
  const mark = failed > 0 ? r.colors.red('✗') : r.colors.green('✓')
  r.result(`${mark} ${report.version}: ${summary} in ${formatDuration(report.durationMs)}`)
  if (report.halted) r.result(r.colors.red(`Halted in stage ${report.halted.stage}: ${report.halted.reason}`))
}

/**
 * Prints a dry run: the stages, then per target its current version and what would run.
 *
 * @example
 * ```ts
 * printRolloutPlan(ctx.reporter, plan, ctx.outputWidth())
 * ```
 */
export function printRolloutPlan(r: Reporter, plan: RolloutPlan, width: number): void {
  r.result(`Rolling out ${plan.version}:`)
  for (const s of plan.stages)
    r.result(
      `  stage ${s.name}: ${s.targets.length} targets, ${s.parallel} at a time, tolerates ${tolerance(s.tolerated)}`,
    )
  const rows = plan.targets.map((t) => [
    t.name,
    t.stage ?? '(no stage)',
    t.current ?? none,
    t.error ? '' : t.pending.join(', ') || 'nothing',
    errorText(t.error),
  ])
  const columns = [
    { heading: 'TARGET' },
    { heading: 'STAGE' },
    { heading: 'CURRENT' },
    { heading: 'WOULD RUN' },
    { heading: 'ERROR', flexible: true },
  ]
  for (const line of table(columns, rows, width)) r.result(line)
}

/**
 * Prints the fleet's status: per target version, pending, failed runs, lock; then the counts.
 *
 * @example
 * ```ts
 * printFleetStatus(ctx.reporter, status, ctx.outputWidth())
 * ```
 */
export function printFleetStatus(r: Reporter, status: FleetStatus, width: number): void {
  const rows = status.targets.map((t) => [
    t.name,
    t.error ? '?' : (t.current ?? none),
    String(t.pending.length),
    t.failed.map((f) => `${f.version} ${f.code}`).join(', '),
    t.lock ? `pid ${t.lock.pid}` : '',
    errorText(t.error),
  ])
  const columns = ['TARGET', 'CURRENT', 'PENDING', 'FAILED RUNS', 'LOCK'].map((heading) => ({ heading }))
  for (const line of table([...columns, { heading: 'ERROR', flexible: true }], rows, width)) r.result(line)
  const versions =
    Object.entries(status.versions)
      .map(([v, n]) => `${v} × ${n}`)
      .join(', ') || 'none readable'
  const { failing, locked, unreachable } = status
  r.result(
    `${status.targets.length} targets: ${versions}; ${failing} with failed runs, ` +
      `${locked} locked, ${unreachable} unreachable`,
  )
}

function tolerance(n: number): string {
  return n === Number.POSITIVE_INFINITY ? 'any failures' : n === 0 ? 'no failure' : `${n} failures`
}
