import { versionArguments } from '../args.js'
import type { Command } from './command.js'
import { exitCodes } from '../exit-codes.js'
import { migratorFor } from './migrator-for.js'
import { withDatabase } from './with-database.js'
import { describeStatusDrift, statusDrift } from './status-drift.js'
import { describeChain } from './status-chain.js'
import { printVersions } from './status-table.js'

export const statusCommand: Command = {
  name: 'status',
  summary: 'Show the current version, history, pending versions, failed runs, the lock holder and drift',
  usage: 'squizzle status [--check]',
  details: [
    'Versions as a table, applied then pending: VERSION, STATE, APPLIED AT,',
    'DURATION (of the run that applied it), BY, NOTES.',
    'Exit 3 when a stored version differs from the one the database applied (tampering).',
    'Invalid indexes (an interrupted CREATE INDEX CONCURRENTLY) are listed; they are maintained but never used.',
    "Drift: the live schema compared with the current version's snapshot (details: squizzle drift).",
    "Chain: says when the storage does not hold the database's current version, and names each pending version that",
    'was not built on what precedes it (apply refuses those: UNCHAINED_VERSION).',
    '--check   also exit 3 when the schema has drifted, the current version is not stored,',
    '          or a pending version is unchained',
  ],
  examples: ['squizzle status', 'squizzle status --json | jq .current', 'squizzle status --check'],
  options: { check: { type: 'boolean' } },
  async run(ctx, args) {
    versionArguments(args.positionals, 'status', { min: 0, max: 0 })
    return withDatabase(ctx, async (driver) => {
      const report = await (await migratorFor(ctx, driver)).status()
      const r = ctx.reporter
      const c = r.colors
      r.line(`${c.bold('Current')}  ${report.current ?? '(none)'}`)
      const storageName = (await ctx.openStorage()).name
      r.line(`${c.bold('Storage')}  ${storageName}`)
      r.line(`${c.bold('Database')} ${driver.displayUrl ?? driver.name}`)
      printVersions(r, report, ctx.outputWidth())
      if (report.pending.length === 0) r.line(`${c.bold('Pending')}  none`)
      for (const a of report.applied.filter((v) => v.skippedFiles.length > 0)) {
        r.line(c.yellow(`${a.version}: seeds skipped: ${a.skippedFiles.join(', ')}`))
      }
      for (const f of report.failed)
        r.line(
          `${c.red('Failed')}   ${f.version} at ${f.at}: ${f.message}${f.resumable ? ` (resumable: run ${f.operation} again)` : ''} ${c.dim(`[${f.operation}; after fixing the cause: squizzle repair]`)}`,
        )
      if (report.baseline) r.line(`${c.bold('Baseline')} ${report.baseline} (versions up to it are part of the schema)`)
      for (const t of report.tampered)
        r.line(`${c.red('Tampered')} ${t.version}: applied ${t.applied}, storage now has ${t.stored}`)
      for (const line of describeChain(report.chain, storageName)) r.line(c.red(line))
      for (const i of report.invalidIndexes ?? []) {
        const fix = c.dim(`[DROP INDEX CONCURRENTLY ${i.schema}.${i.name}, then build it again]`)
        const what = `index ${i.schema}.${i.name} on ${i.table}`
        r.line(`${c.red('Invalid')}  ${what}: an interrupted CREATE INDEX CONCURRENTLY left it unused ${fix}`)
      }
      r.line(
        `${c.bold('Lock')}     ${report.lock ? `held by pid ${report.lock.pid}${report.lock.applicationName ? ` (${report.lock.applicationName})` : ''} since ${report.lock.since ?? '?'}` : 'free'}`,
      )
      const drift = await statusDrift(ctx, driver)
      r.line(`${drift.status === 'drift' ? c.red('Drift') : c.bold('Drift')}    ${describeStatusDrift(drift)}`)
      r.json({ ...report, drift })
      if (report.tampered.length > 0) return exitCodes.integrity
      const broken = report.chain.currentNotStored !== null || report.chain.unchained.length > 0
      return args.values['check'] === true && (drift.status === 'drift' || broken) ? exitCodes.integrity : exitCodes.ok
    })
  },
}
