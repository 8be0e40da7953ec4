import { SquizzleError, type ArtifactStorage, type ContentTarget } from '@squizzle/core'
import type { CommandContext } from '../context.js'
import type { TransferValues } from '../registry-transfer.js'
import type { StorageUse } from '../storage-presence.js'
import { isPluginUrl, openPluginTransport } from '../plugins/plugin-transport.js'

type OpenedStorage = ArtifactStorage & { readonly target: ContentTarget }

/**
 * The local OCI layout push reads from and pull writes to: the configured
 * `storage` (or `SQUIZZLE_STORAGE`) when it is a `file:` URL, else the default
 * `file:.squizzle/artifacts`.
 *
 * @example
 * ```ts
 * const local = await openLocalLayout(ctx, 'create') // pull's destination
 * ```
 */
export async function openLocalLayout(ctx: CommandContext, use: StorageUse): Promise<OpenedStorage> {
  return ctx.openStorageAt(ctx.localLayoutUrl(), use)
}

/**
 * The registry push writes to and pull reads from: `--storage oci://…`, else
 * `SQUIZZLE_REGISTRY`, else the config's `registry`. `--storage` with a `file:`
 * URL is refused here: it would be ambiguous which side it names. `transfer` are the
 * command's retry and timeout flags (see `registryRetry`).
 *
 * @example
 * ```ts
 * const remote = await openRegistry(ctx, 'push', 'optional')
 * ```
 */
export async function openRegistry(
  ctx: CommandContext,
  command: string,
  use: StorageUse,
  options: { allowStorageFlag?: boolean; transfer?: TransferValues } = {},
): Promise<OpenedStorage> {
  const flag = options.allowStorageFlag === false ? undefined : ctx.flags.storage
  if (flag !== undefined && isPluginUrl(flag)) return openPluginTransport(ctx, command, flag, use)
  if (flag !== undefined && !flag.startsWith('oci://')) {
    throw new SquizzleError('USAGE', `${command}: --storage must name the registry (oci://HOST[:PORT]/REPO), not ${flag.split(':')[0]}:`, {
      hint: 'The local side is the file: storage from your config (default .squizzle/artifacts); pass the registry with --storage oci://… or set registry in squizzle.config.',
    })
  }
  const url = flag ?? ctx.io.env['SQUIZZLE_REGISTRY'] ?? ctx.settings.registry
  if (!url) {
    throw new SquizzleError('USAGE', `${command}: no registry configured`, {
      hint: 'Set registry: oci://HOST/REPO in squizzle.config, export SQUIZZLE_REGISTRY, or pass --storage oci://HOST/REPO.',
    })
  }
  return ctx.openStorageAt(url, use, options.transfer)
}
