import { hasErrorCode } from '@squizzle/core'
import { oneVersion } from '../args.js'
import { exitCodes } from '../exit-codes.js'
import { confirmed } from '../output/confirm.js'
import type { Command } from './command.js'
import { migratorFor } from './migrator-for.js'
import { printDetailedDifferences } from './schema-differences.js'
import { withDatabase } from './with-database.js'

export const baselineCommand: Command = {
  name: 'baseline',
  summary: 'Mark an existing database as being at <version> without running SQL, once its schema matches (audited)',
  usage: 'squizzle baseline <version> [--force] [--yes]',
  details: [
    '<version>   a stored version; it and every stored version below it count as applied',
    'The live schema must equal the snapshot <version> recorded at build: a difference is refused',
    '(BASELINE_MISMATCH, exit 3) and listed; a version built with --no-snapshot is refused (SNAPSHOT_MISSING).',
    '--force     baseline anyway: even though Squizzle already applied versions to this database, the schema',
    '            differs or there is no snapshot; the audit log records the force and the differences',
    'Use it once, when adopting Squizzle for a database whose schema already matches <version>.',
    '--yes, -y   with --force, do not ask: on a terminal --force shows what it will record and asks [y/N];',
    '            without one (CI, scripts) --force needs --yes (exit 2)',
  ],
  examples: ['squizzle baseline 1.4.0', 'squizzle baseline 1.4.0 --json', 'squizzle baseline 1.4.0 --force --yes'],
  options: { force: { type: 'boolean' }, yes: { type: 'boolean', short: 'y' } },
  async run(ctx, args) {
    const version = oneVersion(args.positionals, 'baseline')
    const force = args.values['force'] === true
    return withDatabase(ctx, async (driver) => {
      const migrator = await migratorFor(ctx, driver)
      const lines = [
        `This records ${driver.displayUrl ?? driver.name} as being at ${version} (and every stored version below it)`,
        'without running any SQL, even where its schema differs from the snapshot,',
        'or Squizzle already applied versions to it (audited).',
      ]
      const yes = args.values['yes'] === true
      const what = { action: 'baseline --force', lines }
      if (force && !(await confirmed(ctx.io, ctx.reporter, yes, what))) return exitCodes.failure
      const result = await migrator.baseline(version, { force }).catch((err: unknown) => {
        if (hasErrorCode(err, 'BASELINE_MISMATCH')) printDetailedDifferences(ctx.reporter, err.details?.['differences'])
        throw err
      })
      const r = ctx.reporter
      if (result.schema.outcome === 'forced') {
        r.line(`${r.colors.yellow('!')} the schema differs from ${result.version}'s snapshot (see the audit log):`)
        printDetailedDifferences(r, result.schema.differences)
      }
      const checked = result.schema.outcome === 'matched' ? 'the schema matches its snapshot' : 'forced'
      const covers = result.covered.length > 1 ? ` (covers ${result.covered.join(', ')})` : ''
      r.line(r.colors.green(`Baselined at ${result.version}${covers}, ${checked}: apply runs only versions above it.`))
      r.json({ ...result })
      return 0
    })
  },
}
