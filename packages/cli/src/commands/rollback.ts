import { parseVersion } from '@squizzle/core'
import { versionArguments } from '../args.js'
import type { Command } from './command.js'
import { migratorFor } from './migrator-for.js'
import { printSqlLayout } from './print-sql-layout.js'
import { withDatabase } from './with-database.js'

export const rollbackCommand: Command = {
  name: 'rollback',
  summary: 'Undo the current version (or every version above --to), newest first, with the rollback SQL kept at apply time',
  usage: 'squizzle rollback [--to <version>] [--dry-run]',
  details: [
    '--to VERSION   undo every applied version above VERSION, newest first (default: only the current one)',
    '--dry-run      print the rollback SQL that would run, change nothing',
    'The SQL comes from the database (kept and verified at apply time): storage need not be reachable.',
    'Each version is its own history entry; afterwards `apply` can run it again.',
    'Refuses versions built with --irreversible or baselined, before anything runs.',
  ],
  examples: ['squizzle rollback', 'squizzle rollback --to 1.0.0 --dry-run', 'squizzle rollback --to 1.2.0 --json'],
  options: { to: { type: 'string' }, 'dry-run': { type: 'boolean' } },
  async run(ctx, args) {
    versionArguments(args.positionals, 'rollback', { min: 0, max: 0 })
    const to = args.values['to'] === undefined ? undefined : parseVersion(args.values['to'] as string)
    const dryRun = args.values['dry-run'] === true
    return withDatabase(ctx, async (driver) => {
      const result = await (await migratorFor(ctx, driver, { storage: 'optional' })).rollback({ to, dryRun })
      const r = ctx.reporter
      if (dryRun) {
        if (result.versions.length === 0) r.line(`Nothing to roll back: the database is at ${result.current ?? '(none)'}.`)
        printSqlLayout(r, result.versions)
      } else if (result.rolledBack.length === 0) {
        r.line(`Nothing to roll back: the database is at ${result.current ?? '(none)'}, not above ${to}.`)
      } else {
        r.line(r.colors.green(`Rolled back ${result.rolledBack.join(', ')}; the database is now at ${result.current ?? '(none)'}.`))
      }
      r.json({ dryRun: result.dryRun, rolledBack: result.rolledBack, current: result.current, versions: result.versions }, !dryRun)
      return 0
    })
  },
}
