import { resolve } from 'node:path'
import { parsePinnedVersion, SquizzleError } from '@squizzle/core'
import { writeOciArchive } from '@squizzle/storage-filesystem'
import type { CommandContext } from '../context.js'
import { contentStorage } from '../plugins/plugin-transport.js'
import type { Command } from './command.js'

export const exportCommand: Command = {
  name: 'export',
  summary: 'Write versions with their signatures, SBOM and provenance to one OCI archive file (for air-gapped sites)',
  usage: 'squizzle export <version>[@sha256:…]... | --all  -o FILE',
  details: [
    '<version>...     versions of the storage to export (a pinned one only if it resolves to that digest)',
    '--all            every version in the storage',
    '-o, --output F   the archive to write (replaced atomically when it exists)',
    'The file is a tar of an OCI image layout, each version named by its tag: `squizzle import FILE` reads it,',
    'and so does `skopeo copy oci-archive:FILE:1.2.0 …`. Every byte is verified on the way out.',
  ],
  examples: [
    'squizzle export 1.1.0 1.2.0 -o /media/usb/db-1.2.0.tar',
    'squizzle export --all --storage oci://ghcr.io/acme/db -o release.tar --json',
  ],
  options: { all: { type: 'boolean' }, output: { type: 'string', short: 'o' } },
  async run(ctx, args) {
    const output = args.values['output']
    if (typeof output !== 'string' || output === '') {
      throw new SquizzleError('USAGE', 'export needs the file to write', {
        hint: 'Example: squizzle export 1.2.0 -o release.tar',
      })
    }
    const storage = contentStorage('export', await ctx.openStorage())
    const references = await exportedVersions(ctx, args.positionals, args.values['all'] === true)
    const file = resolve(ctx.io.cwd, output)
    const archived = await writeOciArchive(storage.target, references, file)
    const r = ctx.reporter
    for (const v of archived) r.line(`${r.colors.green('✓')} ${v.version} ${r.colors.dim(v.digest)}`)
    r.line(`exported ${plural(archived.length, 'version')} from ${storage.name} to ${ctx.displayPath(file)}`)
    r.json({ file, storage: storage.name, versions: archived })
    return 0
  },
}

/** The versions named on the command line, or with --all every stored one (never both, never none). */
async function exportedVersions(ctx: CommandContext, positionals: string[], all: boolean): Promise<string[]> {
  const named = positionals.length > 0
  if (all === named) {
    throw new SquizzleError(
      'USAGE',
      all ? 'export takes versions or --all, not both' : 'export needs versions or --all',
      {
        hint: 'Example: squizzle export 1.1.0 1.2.0 -o release.tar, or squizzle export --all -o release.tar',
      },
    )
  }
  for (const reference of positionals) parsePinnedVersion(reference)
  if (!all) return positionals
  const storage = await ctx.openStorage()
  const versions = (await storage.list()).map((v) => v.version)
  if (versions.length === 0) {
    throw new SquizzleError('VERSION_NOT_FOUND', `${storage.name} holds no versions to export`, {
      hint: 'Build a version first (squizzle build), or point --storage at the storage that holds them.',
    })
  }
  return versions
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`
}
