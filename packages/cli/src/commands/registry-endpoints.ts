import { resolve } from 'node:path'
import { SquizzleError, type ArtifactStorage, type ContentTarget } from '@squizzle/core'
import type { CommandContext } from '../context.js'
import type { TransferValues } from '../registry-transfer.js'
import type { StorageUse } from '../storage-presence.js'
import { isPluginUrl, openPluginTransport } from '../plugins/plugin-transport.js'
import { parseStorageUrl } from '../storage-url.js'

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
 * The other side of push and pull: `--storage URL`, else `SQUIZZLE_REGISTRY`, else the
 * config's `registry`. `--storage` may name a registry (`oci://…`) or another OCI layout
 * directory (`file:/media/usb/db`, for air-gapped transfers), or a URL of a scheme a storage
 * plugin in `plugins` registers (`pgtable://…`); naming the local layout itself is refused:
 * a copy onto itself would say nothing.
 * `transfer` are the command's retry and timeout flags (see `registryRetry`).
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
  if (flag?.startsWith('file:')) return openOtherLayout(ctx, command, flag, use)
  if (flag !== undefined && !flag.startsWith('oci://')) {
    const scheme = flag.split(':')[0]
    const message =
      `${command}: --storage must name a registry (oci://HOST[:PORT]/REPO) or a layout (file:DIR), ` + `not ${scheme}:`
    throw new SquizzleError('USAGE', message, {
      hint:
        'The local side is the file: storage from your config (default .squizzle/artifacts); ' +
        'pass the other side with --storage oci://… or --storage file:DIR.',
    })
  }
  const url = flag ?? ctx.io.env['SQUIZZLE_REGISTRY'] ?? ctx.settings.registry
  if (!url) {
    throw new SquizzleError('USAGE', `${command}: no registry configured`, {
      hint:
        'Set registry: oci://HOST/REPO in squizzle.config, export SQUIZZLE_REGISTRY, ' +
        'or pass --storage oci://HOST/REPO (or file:DIR).',
    })
  }
  return ctx.openStorageAt(url, use, options.transfer)
}

async function openOtherLayout(
  ctx: CommandContext,
  command: string,
  url: string,
  use: StorageUse,
): Promise<OpenedStorage> {
  const other = parseStorageUrl(url, ctx.root)
  const local = parseStorageUrl(ctx.localLayoutUrl(), ctx.root)
  if (other.scheme === 'file' && local.scheme === 'file' && resolve(other.path) === resolve(local.path)) {
    throw new SquizzleError('USAGE', `${command}: --storage ${url} is the local layout itself`, {
      hint: 'Name another directory (e.g. file:/media/usb/db), or a registry with --storage oci://HOST/REPO.',
    })
  }
  return ctx.openStorageAt(url, use)
}
