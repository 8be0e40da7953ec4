import { resolve } from 'node:path'
import { importVersions, SquizzleError } from '@squizzle/core'
import { openOciArchive } from '@squizzle/storage-filesystem'
import { contentStorage } from '../plugins/plugin-transport.js'
import { trustPolicyFor } from '../security/trust-policy.js'
import type { Command } from './command.js'

export const importCommand: Command = {
  name: 'import',
  summary: 'Verify every version in an OCI archive file, then copy them (with their attachments) into the storage',
  usage: 'squizzle import FILE [--storage URL]',
  details: [
    'FILE             an archive from `squizzle export` (or `skopeo copy … oci-archive:FILE:TAG`)',
    '--storage URL    where to import (default: the configured storage, e.g. .squizzle/artifacts)',
    'Nothing becomes visible until every version has passed what apply checks: digests, checksums, every file,',
    "each version against its tag, the attachments, and the environment's trust policy when it has one.",
    'Exit 3 on any integrity failure, 4 on a signature or policy failure; the storage is then unchanged.',
    'A version the storage already holds with the same digest is kept; with another digest it is refused (exit 3).',
  ],
  examples: [
    'squizzle import /media/usb/db-1.2.0.tar && squizzle apply',
    'squizzle import release.tar --env production --json',
  ],
  options: {},
  async run(ctx, args) {
    const [file, ...rest] = args.positionals
    if (!file || rest.length > 0)
      throw new SquizzleError('USAGE', 'import takes exactly one archive file', {
        hint: 'Example: squizzle import release.tar',
      })
    const policy = await trustPolicyFor(ctx)
    // A URL opens as written (never through the read cache); a storage plugin opens as configured.
    const url = ctx.storageUrl()
    const opened = url === null ? await ctx.openStorage('create') : await ctx.openStorageUrl(url, 'create')
    const destination = contentStorage('import', opened)
    const archive = await openOciArchive(resolve(ctx.io.cwd, file))
    try {
      const imported = await importVersions(archive.target, destination.target, {
        policy,
        limits: ctx.settings.limits,
        events: ctx.reporter.onEvent,
      })
      const r = ctx.reporter
      for (const v of imported) {
        const signer = v.identity ? `, signed by ${v.identity.subject}` : ''
        const existed = v.existed ? ' (already there)' : ''
        r.line(`${r.colors.green('✓')} ${v.version} ${r.colors.dim(v.digest)}${existed}${signer}`)
      }
      r.line(`imported ${imported.length} version${imported.length === 1 ? '' : 's'} into ${destination.name}`)
      r.json({ storage: destination.name, versions: imported })
      return 0
    } finally {
      await archive.dispose()
    }
  },
}
