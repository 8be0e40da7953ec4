import type { Command } from './command.js'
import { exitCodes } from '../exit-codes.js'
import { migratorFor } from './migrator-for.js'
import { withDatabase } from './with-database.js'

export const statusCommand: Command = {
  name: 'status',
  summary: 'Show the current version, history, pending versions, failed runs and the lock holder',
  usage: 'squizzle status',
  details: ['Exit 3 when a stored version differs from the one the database applied (tampering).'],
  examples: ['squizzle status', 'squizzle status --json | jq .current'],
  options: {},
  async run(ctx) {
    return withDatabase(ctx, async (driver) => {
      const report = await (await migratorFor(ctx, driver)).status()
      const r = ctx.reporter
      const c = r.colors
      r.line(`${c.bold('Current')}  ${report.current ?? '(none)'}`)
      r.line(`${c.bold('Storage')}  ${(await ctx.openStorage()).name}`)
      r.line(`${c.bold('Database')} ${driver.displayUrl}`)
      if (report.applied.length) {
        r.line(c.bold('Applied'))
        for (const a of report.applied) r.line(`  ${c.green('✓')} ${a.version.padEnd(14)} ${a.appliedAt}  ${c.dim(`${a.operation} by ${a.actor}`)}`)
      }
      if (report.pending.length) {
        r.line(c.bold('Pending'))
        for (const p of report.pending) r.line(`  ${c.yellow('•')} ${p.version}${p.outOfOrder ? c.red('  out of order (older than current)') : ''}`)
      } else {
        r.line(`${c.bold('Pending')}  none`)
      }
      for (const f of report.failed) r.line(`${c.red('Failed')}   ${f.version} at ${f.at}: ${f.message}${f.resumable ? ` (resumable: run ${f.operation} again)` : ''} ${c.dim(`[${f.operation}; after fixing the cause: squizzle repair]`)}`)
      if (report.baseline) r.line(`${c.bold('Baseline')} ${report.baseline} (versions up to it are part of the schema)`)
      for (const t of report.tampered) r.line(`${c.red('Tampered')} ${t.version}: applied ${t.applied}, storage now has ${t.stored}`)
      r.line(`${c.bold('Lock')}     ${report.lock ? `held by pid ${report.lock.pid}${report.lock.applicationName ? ` (${report.lock.applicationName})` : ''} since ${report.lock.since ?? '?'}` : 'free'}`)
      r.json({ ...report })
      return report.tampered.length > 0 ? exitCodes.integrity : exitCodes.ok
    })
  },
}
