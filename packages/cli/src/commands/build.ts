import { buildVersion, SquizzleError } from '@squizzle/core'
import { toolVersion } from '../tool-version.js'
import type { Command } from './command.js'
import { checkBuildPush, pushVersion } from './push.js'

export const buildCommand: Command = {
  name: 'build',
  summary: 'Bundle the SQL files added since the latest version into a new, immutable version',
  usage: 'squizzle build <version> [--notes TEXT] [--author NAME] [--irreversible] [--push]',
  details: [
    '<version>        semantic version above the latest stored one (1.4.0, 2.0.0-rc.1)',
    '--notes TEXT     release notes stored in the manifest',
    '--author NAME    who built it (default: $SQUIZZLE_AUTHOR, else none)',
    '--irreversible   mark the version as impossible to roll back',
    '--push           then push it to the registry (registry in squizzle.config or $SQUIZZLE_REGISTRY), like squizzle push',
    'Released files must not change: a modified file fails the build with its name and version.',
  ],
  examples: ['squizzle build 1.0.0 --notes "users and orders"', 'squizzle build 1.1.0 --json | jq -r .digest'],
  options: { notes: { type: 'string' }, author: { type: 'string' }, irreversible: { type: 'boolean' }, push: { type: 'boolean' } },
  async run(ctx, args) {
    const version = args.positionals[0]
    if (!version || args.positionals.length > 1) {
      throw new SquizzleError('USAGE', 'build takes exactly one version', { hint: 'Example: squizzle build 1.2.0' })
    }
    const push = args.values['push'] === true
    if (push) await checkBuildPush(ctx)
    const storage = await ctx.openStorage()
    const author = (args.values['author'] as string | undefined) ?? ctx.io.env['SQUIZZLE_AUTHOR']
    const notes = args.values['notes'] as string | undefined
    const { ref, manifest } = await buildVersion({
      version,
      storage,
      folders: ctx.sourceFolders(),
      toolVersion,
      ...(notes ? { notes } : {}),
      ...(author ? { author } : {}),
      ...(ctx.settings.transactionScope ? { transactionScope: ctx.settings.transactionScope } : {}),
      ...(args.values['irreversible'] === true ? { irreversible: true } : {}),
      events: ctx.reporter.onEvent,
    })
    ctx.reporter.line(`${ctx.reporter.colors.green('✓')} built ${manifest.version} (${manifest.files.length} file${manifest.files.length === 1 ? '' : 's'}) into ${storage.name}`)
    const pushed = push ? await pushVersion(ctx, manifest.version, 'build --push', { allowStorageFlag: false }) : undefined
    if (pushed) ctx.reporter.line(`${ctx.reporter.colors.green('✓')} pushed ${manifest.version} to ${pushed.to}`)
    ctx.reporter.result(ref.digest)
    ctx.reporter.json({ version: manifest.version, digest: ref.digest, bundleDigest: ref.bundleDigest, storage: storage.name, ...(pushed ? { pushedTo: pushed.to } : {}), previousVersion: manifest.previousVersion, files: manifest.files.map((f) => ({ path: f.path, size: f.size, sha256: f.sha256, transaction: f.transaction })) })
    return 0
  },
}
