import { SquizzleError } from '@squizzle/core'
import type { Command } from './command.js'
import { rebuildLedger } from './ledger-rebuild.js'
import { verifyLedger } from './ledger-verify.js'

export const ledgerCommand: Command = {
  name: 'ledger',
  summary: 'Write the release ledger (db/squizzle.sum) from a storage, or check it against the repository and storage',
  usage: 'squizzle ledger rebuild|verify [--from <storage-url>]',
  details: [
    'The ledger lists every released version (its digest and previous version) and every file it released, with',
    'its SHA-256, under a chained hash; build writes it, and decides from it what is new. Commit it with the SQL.',
    'rebuild   write it from the versions of a storage (default: the configured one), each verified as apply would;',
    '          for projects released before the ledger, and to replace a lost or damaged ledger',
    'verify    check its chain, that every file it lists is in the repository unchanged, and that the storage',
    '          (default: the configured one) holds no version it lacks nor another artifact of one it lists;',
    '          exit 3 otherwise',
    '--from URL   the storage to read: file:PATH or oci://HOST[:PORT]/REPO',
  ],
  examples: [
    'squizzle ledger rebuild --from oci://ghcr.io/acme/db-migrations',
    'squizzle ledger verify',
    'squizzle ledger verify --json | jq .problems',
  ],
  options: { from: { type: 'string' } },
  async run(ctx, args) {
    const [action, ...rest] = args.positionals
    if (rest.length > 0 || (action !== 'rebuild' && action !== 'verify')) {
      throw new SquizzleError('USAGE', 'ledger takes one action: rebuild or verify', {
        hint: 'Example: squizzle ledger rebuild --from oci://ghcr.io/acme/db-migrations, or squizzle ledger verify',
      })
    }
    const from = args.values['from'] as string | undefined
    return action === 'rebuild' ? rebuildLedger(ctx, from) : verifyLedger(ctx, from)
  },
}
