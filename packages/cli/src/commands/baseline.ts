import { oneVersion } from '../args.js'
import type { Command } from './command.js'
import { migratorFor } from './migrator-for.js'
import { withDatabase } from './with-database.js'

export const baselineCommand: Command = {
  name: 'baseline',
  summary: 'Mark an existing database as being at <version> without running SQL (audited)',
  usage: 'squizzle baseline <version> [--force]',
  details: [
    '<version>   a stored version; it and every stored version below it count as applied',
    '--force     baseline even though Squizzle already applied versions to this database',
    'Use it once, when adopting Squizzle for a database whose schema already matches <version>.',
  ],
  examples: ['squizzle baseline 1.4.0', 'squizzle baseline 1.4.0 --json'],
  options: { force: { type: 'boolean' } },
  async run(ctx, args) {
    const version = oneVersion(args.positionals, 'baseline')
    return withDatabase(ctx, async (driver) => {
      const result = await (await migratorFor(ctx, driver)).baseline(version, { force: args.values['force'] === true })
      const r = ctx.reporter
      r.line(r.colors.green(`Baselined at ${result.version}${result.covered.length > 1 ? ` (covers ${result.covered.join(', ')})` : ''}: apply runs only versions above it.`))
      r.json({ ...result })
      return 0
    })
  },
}
