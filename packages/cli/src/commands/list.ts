import type { ArtifactStorage, VersionInfo } from '@squizzle/core'
import { versionArguments } from '../args.js'
import { shortDigest, table } from '../output/table.js'
import type { Command } from './command.js'

const columns = [
  { heading: 'VERSION' },
  { heading: 'CREATED' },
  { heading: 'DIGEST' },
  { heading: 'NOTES', flexible: true },
]

export const listCommand: Command = {
  name: 'list',
  summary: 'List the versions in storage, with creation times, digests and release notes',
  usage: 'squizzle list',
  details: [
    'A table: VERSION, CREATED, DIGEST (sha256: and 8 hex digits; --verbose and --json give it whole) and NOTES,',
    'cut to the terminal width.',
  ],
  examples: ['squizzle list', 'squizzle list --verbose', 'squizzle list --storage file:/srv/migrations --json'],
  options: {},
  async run(ctx, args) {
    versionArguments(args.positionals, 'list', { min: 0, max: 0 })
    const storage = await ctx.openStorage()
    const versions: (VersionInfo & { notes: string | null })[] = []
    for (const v of await storage.list()) versions.push({ ...v, notes: await notesOf(storage, v) })
    const r = ctx.reporter
    if (versions.length === 0) r.line(`No versions in ${storage.name}.`)
    else {
      const digest = (d: string) => (ctx.flags.verbose ? d : shortDigest(d))
      const rows = versions.map((v) => [v.version, v.created ?? '', digest(v.digest), v.notes ?? ''])
      const [heading, ...lines] = table(columns, rows, ctx.outputWidth())
      r.line(r.colors.bold(heading!))
      for (const line of lines) r.line(line)
    }
    r.json({ storage: storage.name, versions })
    return 0
  },
}

/**
 * A version's notes: as the storage listed them when it has them at hand (an OCI layout's
 * index.json; display only), else from its manifest, which costs one pull per version.
 */
async function notesOf(storage: ArtifactStorage, v: VersionInfo): Promise<string | null> {
  if (v.notes !== undefined) return v.notes
  return (await storage.pull(v.version)).manifest.notes ?? null
}
