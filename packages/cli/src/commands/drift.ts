import { checkDrift } from '@squizzle/core'
import { exitCodes } from '../exit-codes.js'
import { versionArguments } from '../args.js'
import type { Command } from './command.js'
import { printDifferences } from './schema-differences.js'
import { withDatabase } from './with-database.js'

export const driftCommand: Command = {
  name: 'drift',
  summary: 'Compare the live schema with the snapshot the current version recorded at build',
  usage: 'squizzle drift [--check]',
  details: [
    'Lists each object added (+), removed (-) or changed (~) in the database since the current version',
    'was applied, e.g. a manual ALTER TABLE. Read-only; takes no lock.',
    '--check   exit 3 when there is drift (for CI and monitoring)',
    'A version built with --no-snapshot has nothing to compare with: drift says so and exits 0 (1 with --check).',
  ],
  examples: ['squizzle drift', 'squizzle drift --check --json | jq .differences'],
  options: { check: { type: 'boolean' } },
  async run(ctx, args) {
    versionArguments(args.positionals, 'drift', { min: 0, max: 0 })
    const check = args.values['check'] === true
    return withDatabase(ctx, async (driver) => {
      const report = await checkDrift({ storage: await ctx.openStorage(), driver, limits: ctx.settings.limits })
      const r = ctx.reporter
      const c = r.colors
      if (report.status === 'no-version') r.line('No version applied yet: nothing to compare with.')
      else if (report.status === 'no-snapshot')
        r.line(`${c.yellow('?')} ${report.version} was built without a schema snapshot: drift cannot be checked.`)
      else if (report.status === 'clean')
        r.line(`${c.green('✓')} no drift: the schema matches version ${report.version}`)
      else {
        r.line(
          `${c.red('✗')} drift: ${report.differences.length} difference${report.differences.length === 1 ? '' : 's'} from the schema of version ${report.version} (+ only in the database, - missing from it)`,
        )
        printDifferences(r, report.differences)
      }
      if (report.status === 'drift' && report.expectedServer !== report.liveServer) {
        r.line(
          c.dim(
            `  the snapshot was taken on PostgreSQL ${report.expectedServer}, the database runs ${report.liveServer}: some text differences may come from that`,
          ),
        )
      }
      r.json({ ...report })
      if (!check) return exitCodes.ok
      if (report.status === 'drift') return exitCodes.integrity
      return report.status === 'no-snapshot' ? exitCodes.failure : exitCodes.ok
    })
  },
}
