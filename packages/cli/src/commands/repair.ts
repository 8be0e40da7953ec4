import { versionArguments } from '../args.js'
import type { Command } from './command.js'
import { migratorFor } from './migrator-for.js'
import { withDatabase } from './with-database.js'

export const repairCommand: Command = {
  name: 'repair',
  summary: 'Resolve failed runs after fixing their cause, so the next apply (or rollback) proceeds (audited)',
  usage: 'squizzle repair [version] [--restart]',
  details: [
    '[version]   repair only this version (default: every unresolved failure)',
    'default     keep the recorded progress: the next run retries the statement that failed and goes on',
    '--restart   forget the recorded progress: the next run starts the version from its first file',
    '            (use it after undoing the partial work by hand, or when the artifact was replaced)',
    'A version that ran in one transaction left nothing behind, so both modes rerun it whole.',
  ],
  examples: ['squizzle repair', 'squizzle repair 1.3.0 --restart --json'],
  options: { restart: { type: 'boolean' } },
  async run(ctx, args) {
    const [version] = versionArguments(args.positionals, 'repair', { min: 0, max: 1 })
    return withDatabase(ctx, async (driver) => {
      const migrator = await migratorFor(ctx, driver, { storage: 'optional' })
      const result = await migrator.repair({ version, mode: args.values['restart'] === true ? 'restart' : 'resume' })
      const r = ctx.reporter
      for (const f of result.repaired) {
        const next = result.mode === 'restart' ? 'starts it over' : 'resumes where it stopped'
        r.line(`${r.colors.green('✓')} ${f.version}: failed ${f.operation} (${f.code}) resolved; the next ${f.operation} ${next}`)
      }
      r.json({ ...result })
      return 0
    })
  },
}
