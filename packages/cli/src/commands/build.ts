import { buildVersion, SquizzleError } from '@squizzle/core'
import { attachEvidence } from '../security/release-evidence.js'
import { signerFor } from '../security/signer-for.js'
import { toolVersion } from '../tool-version.js'
import type { Command } from './command.js'

export const buildCommand: Command = {
  name: 'build',
  summary: 'Bundle the SQL files added since the latest version into a new, immutable version',
  usage: 'squizzle build <version> [--notes TEXT] [--author NAME] [--irreversible]',
  details: [
    '<version>        semantic version above the latest stored one (1.4.0, 2.0.0-rc.1)',
    '--notes TEXT     release notes stored in the manifest',
    '--author NAME    who built it (default: $SQUIZZLE_AUTHOR, else none)',
    '--irreversible   mark the version as impossible to roll back',
    '--sign           sign it (see `squizzle sign --help`); the SBOM and provenance are attached either way',
    'Released files must not change: a modified file fails the build with its name and version.',
  ],
  examples: ['squizzle build 1.0.0 --notes "users and orders"', 'squizzle build 1.1.0 --json | jq -r .digest'],
  options: { notes: { type: 'string' }, author: { type: 'string' }, irreversible: { type: 'boolean' }, sign: { type: 'boolean' } },
  async run(ctx, args) {
    const version = args.positionals[0]
    if (!version || args.positionals.length > 1) {
      throw new SquizzleError('USAGE', 'build takes exactly one version', { hint: 'Example: squizzle build 1.2.0' })
    }
    const storage = await ctx.openStorage()
    const author = (args.values['author'] as string | undefined) ?? ctx.io.env['SQUIZZLE_AUTHOR']
    const notes = args.values['notes'] as string | undefined
    // Resolved before building: a missing key, passphrase or token must not leave an unsigned version behind.
    const signer = args.values['sign'] === true ? await signerFor(ctx) : null
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
    const evidence = storage.attach || signer ? await attachEvidence(ctx, storage, manifest.version, signer) : null
    ctx.reporter.line(`${ctx.reporter.colors.green('✓')} built ${manifest.version} (${manifest.files.length} file${manifest.files.length === 1 ? '' : 's'}) into ${storage.name}`)
    ctx.reporter.result(ref.digest)
    ctx.reporter.json({ version: manifest.version, digest: ref.digest, bundleDigest: ref.bundleDigest, storage: storage.name, previousVersion: manifest.previousVersion, signed: evidence?.provenance === 'signed', files: manifest.files.map((f) => ({ path: f.path, size: f.size, sha256: f.sha256, transaction: f.transaction })) })
    return 0
  },
}
