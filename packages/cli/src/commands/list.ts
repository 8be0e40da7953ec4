import { versionArguments } from '../args.js'
import type { Command } from './command.js'

export const listCommand: Command = {
  name: 'list',
  summary: 'List the versions in storage, with digests and creation times',
  usage: 'squizzle list',
  details: [],
  examples: ['squizzle list', 'squizzle list --storage file:/srv/migrations --json'],
  options: {},
  async run(ctx, args) {
    versionArguments(args.positionals, 'list', { min: 0, max: 0 })
    const storage = await ctx.openStorage()
    const versions = await storage.list()
    const r = ctx.reporter
    if (versions.length === 0) r.line(`No versions in ${storage.name}.`)
    for (const v of versions) r.line(`${v.version.padEnd(16)} ${r.colors.dim(v.digest)}  ${v.created ?? ''}`)
    r.json({ storage: storage.name, versions })
    return 0
  },
}
