import { copyVersion, parsePinnedVersion, SquizzleError } from '@squizzle/core'
import type { CommandContext } from '../context.js'
import { oneVersion } from '../args.js'
import type { Command } from './command.js'
import { transferHelp, transferOptions, type TransferValues } from '../registry-transfer.js'
import { openLocalLayout, openRegistry } from './registry-endpoints.js'

export const pushCommand: Command = {
  name: 'push',
  summary: 'Copy a built version (and its signatures, SBOM, provenance) from the local layout to the registry',
  usage:
    'squizzle push <version>[@sha256:…] [--storage oci://HOST[:PORT]/REPO | file:DIR] [--plain-http] [--retries N] [--timeout D]',
  details: [
    '<version>        a version in the local layout (default .squizzle/artifacts)',
    '@sha256:…        copy only if the version resolves to exactly this digest (exit 3 otherwise, nothing copied)',
    '--storage URL    the registry (default: $SQUIZZLE_REGISTRY, else registry in squizzle.config),',
    '                 or another OCI layout directory, e.g. file:/media/usb/db,',
    '                 or a URL of a scheme a storage plugin in `plugins` registers (pgtable://…)',
    '--plain-http     talk HTTP instead of HTTPS (a test registry; same as ?plain-http=true)',
    ...transferHelp,
    'Credentials: SQUIZZLE_REGISTRY_USERNAME/PASSWORD, else docker login (~/.docker/config.json, DOCKER_CONFIG).',
    'Every byte is verified on the way; the tag is pushed last, after the blobs, the manifest and every',
    'signature, SBOM and provenance: a failed push leaves no version behind, and pushing again finishes it.',
    'A version already in the registry with the same digest is a no-op; with another digest it is refused (exit 3).',
  ],
  examples: [
    'squizzle push 1.2.0',
    'squizzle push 1.2.0 --storage oci://ghcr.io/acme/db-migrations --json',
    'squizzle push 1.2.0 --storage file:/media/usb/db',
  ],
  options: { ...transferOptions },
  async run(ctx, args) {
    const reference = oneVersion(args.positionals, 'push', { pinned: true })
    return reportCopy(
      ctx,
      'push',
      parsePinnedVersion(reference).version,
      await pushVersion(ctx, reference, 'push', { transfer: args.values }),
    )
  },
}

/**
 * Copies `version` from the local layout to the registry; returns what was copied.
 *
 * @example
 * ```ts
 * await pushVersion(ctx, '1.2.0', 'build --push')
 * ```
 */
export async function pushVersion(
  ctx: CommandContext,
  version: string,
  command: string,
  options: { allowStorageFlag?: boolean; transfer?: TransferValues } = {},
): Promise<{ digest: string; from: string; to: string }> {
  const local = await openLocalLayout(ctx, 'required')
  const remote = await openRegistry(ctx, command, 'optional', options)
  const desc = await copyVersion(local.target, remote.target, version)
  return { digest: desc.digest, from: local.name, to: remote.name }
}

/**
 * Prints the outcome of a push or pull and returns exit 0.
 *
 * @example
 * ```ts
 * return reportCopy(ctx, 'pull', '1.2.0', copied)
 * ```
 */
export function reportCopy(
  ctx: CommandContext,
  verb: 'push' | 'pull',
  version: string,
  copied: { digest: string; from: string; to: string },
): number {
  const r = ctx.reporter
  r.line(
    `${r.colors.green('✓')} ${verb === 'push' ? 'pushed' : 'pulled'} ${version} ${r.colors.dim(copied.digest)} to ${copied.to}`,
  )
  r.result(copied.digest)
  r.json({ version, ...copied })
  return 0
}

/**
 * `build --push` builds into the local layout and then pushes: refused up front
 * (before anything is built) when the build storage is not a local `file:` layout
 * or no registry is configured.
 *
 * @example
 * ```ts
 * await checkBuildPush(ctx)
 * ```
 */
export async function checkBuildPush(ctx: CommandContext): Promise<void> {
  if (!ctx.storageUrl()?.startsWith('file:')) {
    throw new SquizzleError(
      'USAGE',
      'build --push builds into the local layout and then pushes it, but the storage is not a file: layout',
      {
        hint: 'Drop --push to build straight into that storage, or build into the local layout and set registry: oci://… in squizzle.config (or SQUIZZLE_REGISTRY).',
      },
    )
  }
  await openRegistry(ctx, 'build --push', 'optional', { allowStorageFlag: false })
}
