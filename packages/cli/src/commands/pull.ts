import { copyVersion, parsePinnedVersion } from '@squizzle/core'
import { oneVersion } from '../args.js'
import type { Command } from './command.js'
import { reportCopy } from './push.js'
import { transferHelp, transferOptions } from '../registry-transfer.js'
import { openLocalLayout, openRegistry } from './registry-endpoints.js'

export const pullCommand: Command = {
  name: 'pull',
  summary: 'Fetch a version (and its attachments) from the registry into the local layout, verified',
  usage:
    'squizzle pull <version>[@sha256:…] [--storage oci://HOST[:PORT]/REPO | file:DIR] [--plain-http] [--retries N] [--timeout D]',
  details: [
    '<version>        a version in the registry',
    '@sha256:…        copy only if the version resolves to exactly this digest (exit 3 otherwise, nothing copied)',
    '--storage URL    the registry (default: $SQUIZZLE_REGISTRY, else registry in squizzle.config),',
    '                 or another OCI layout directory, e.g. file:/media/usb/db,',
    '                 or a URL of a scheme a storage plugin in `plugins` registers (pgtable://…)',
    '--plain-http     talk HTTP instead of HTTPS (a test registry; same as ?plain-http=true)',
    ...transferHelp,
    'The local layout (default .squizzle/artifacts) then serves apply as a digest-addressed cache:',
    'apply from it, or apply --storage oci://… (tags resolved on the registry, content read locally',
    'when its digest is there, every byte verified); status and verify compare the digest the database recorded.',
    'A local copy with another digest for the same version is refused (exit 3), and so is a tag whose bundle',
    'says another version (exit 3). The tag is written last: a failed pull leaves no version in the layout.',
  ],
  examples: [
    'squizzle pull 1.2.0 && squizzle apply 1.2.0',
    'squizzle pull 1.2.0 --storage oci://ghcr.io/acme/db-migrations --json',
    'squizzle pull 1.2.0@sha256:4f1c… --storage file:/media/usb/db',
  ],
  options: { ...transferOptions },
  async run(ctx, args) {
    const reference = oneVersion(args.positionals, 'pull', { pinned: true })
    const remote = await openRegistry(ctx, 'pull', 'required', { transfer: args.values })
    const local = await openLocalLayout(ctx, 'create')
    const desc = await copyVersion(remote.target, local.target, reference)
    const copied = { digest: desc.digest, from: remote.name, to: local.name }
    return reportCopy(ctx, 'pull', parsePinnedVersion(reference).version, copied)
  },
}
