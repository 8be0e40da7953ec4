import { diffVersions } from '@squizzle/core'
import { versionArguments } from '../args.js'
import type { Command } from './command.js'
import { printDifferences } from './schema-differences.js'
import { formatBytes } from '../output/units.js'

export const diffCommand: Command = {
  name: 'diff',
  summary: 'Show the files each version added between two versions, and how their schemas differ',
  usage: 'squizzle diff <from> <to>',
  details: [
    '<from> <to>   two stored versions, older first; versions above <from> up to <to> are listed',
    'The schema difference compares the snapshots both versions recorded at build (storage only, no database).',
  ],
  examples: ['squizzle diff 1.0.0 1.2.0', 'squizzle diff 1.0.0 1.2.0 --json | jq .schema'],
  options: {},
  async run(ctx, args) {
    const [from, to] = versionArguments(args.positionals, 'diff', { min: 2, max: 2 }) as [string, string]
    const diff = await diffVersions({ storage: await ctx.openStorage(), from, to, limits: ctx.settings.limits })
    const r = ctx.reporter
    const c = r.colors
    for (const v of diff.versions) {
      r.line(`${c.bold(v.version)} ${c.dim(v.digest)}`)
      for (const f of v.files) r.line(`  ${c.green('+')} ${f.path} ${c.dim(formatBytes(f.size))}`)
    }
    if (diff.schema === null) {
      r.line(
        `${c.yellow('?')} schema: no snapshot in ${diff.missingSnapshots.join(' and ')} (built with --no-snapshot or before snapshots existed)`,
      )
    } else if (diff.schema.length === 0) {
      r.line(`Schema ${from} → ${to}: no difference`)
    } else {
      r.line(`Schema ${from} → ${to}: ${diff.schema.length} difference${diff.schema.length === 1 ? '' : 's'}`)
      printDifferences(r, diff.schema)
    }
    r.json({ ...diff })
    return 0
  },
}
