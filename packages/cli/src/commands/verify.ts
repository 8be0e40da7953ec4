import { verifyVersion, type VerifyReport } from '@squizzle/core'
import type { CommandContext } from '../context.js'
import { oneVersion } from '../args.js'
import type { Command } from './command.js'
import { trustPolicyFor } from '../security/trust-policy.js'
import { migratorFor } from './migrator-for.js'
import { withDatabase } from './with-database.js'
import { formatBytes } from '../output/units.js'

export const verifyCommand: Command = {
  name: 'verify',
  summary:
    'Check a stored version as apply would (digests, checksums, structure, signature policy), without running it',
  usage: 'squizzle verify <version>[@sha256:…]',
  details: [
    '@sha256:…  also require the version to resolve to exactly this digest (exit 3 otherwise)',
    'With a database configured, also checks that the version is the artifact the database applied.',
    'Exit 3 on any integrity failure (tampered blob, checksum, re-pointed tag).',
    'Then the signature, when the environment has a trust policy (trust in the config): exit 4 when it is missing where required, invalid, or by an untrusted signer.',
  ],
  examples: ['squizzle verify 1.2.0', 'squizzle verify 1.2.0 --json'],
  options: {},
  async run(ctx, args) {
    const version = oneVersion(args.positionals, 'verify', { pinned: true })
    const report = ctx.hasDatabase()
      ? await withDatabase(ctx, async (driver) => (await migratorFor(ctx, driver)).verify(version))
      : await verifyStorageOnly(ctx, version)
    const r = ctx.reporter
    const matches = report.applied === true ? ', matches what the database applied' : ''
    const size = `${report.files} files, ${formatBytes(report.bytes)}`
    r.line(`${r.colors.green('✓')} ${report.version} verified: ${size}, digest ${report.digest}${matches}`)
    if (report.identity)
      r.line(`  signed by ${report.identity.subject}${report.identity.issuer ? ` (${report.identity.issuer})` : ''}`)
    r.json({ ok: true, ...report })
    return 0
  },
}

async function verifyStorageOnly(ctx: CommandContext, version: string): Promise<VerifyReport & { applied: null }> {
  // The trust policy first: a config mistake is reported before the storage is read.
  const policy = await trustPolicyFor(ctx)
  const storage = await ctx.openStorage()
  const options = { limits: ctx.settings.limits, events: ctx.reporter.onEvent, policy }
  const report = await verifyVersion(storage, version, options)
  return { ...report, applied: null }
}
