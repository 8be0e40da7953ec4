import { SquizzleError, type ArtifactStorage, type ContentTarget } from '@squizzle/core'
import type { CommandContext } from '../context.js'
import type { StorageUse } from '../storage-presence.js'
import { builtinSchemes, schemeOf } from './plugin-schemes.js'

/** A storage with the content target that copying between storages walks. */
type Copyable = ArtifactStorage & { readonly target: ContentTarget }

/**
 * True for a URL whose scheme is not built in (`pgtable://…`): one only a plugin in the
 * config's `plugins` can open.
 *
 * @example
 * ```ts
 * isPluginUrl('pgtable://db/releases') // true
 * isPluginUrl('oci://ghcr.io/acme/db') // false
 * ```
 */
export function isPluginUrl(url: string): boolean {
  const scheme = schemeOf(url)
  return scheme !== null && !builtinSchemes.includes(scheme)
}

/**
 * The other side of push or pull when `--storage` names a plugin's URL: copying is one
 * generic walk over content targets, so the plugin's storage must be one
 * (`STORAGE_UNSUPPORTED` when it is a bare `ArtifactStorage`).
 *
 * @example
 * ```ts
 * const remote = await openPluginTransport(ctx, 'push', 'pgtable://db/releases', 'optional')
 * ```
 */
export async function openPluginTransport(
  ctx: CommandContext,
  command: string,
  url: string,
  use: StorageUse,
): Promise<Copyable> {
  return contentStorage(command, await ctx.openStorageUrl(url, use))
}

/**
 * The storage itself when it has a content target (what copying, export and import walk);
 * `STORAGE_UNSUPPORTED` for a plugin's bare `ArtifactStorage`.
 *
 * @example
 * ```ts
 * const storage = contentStorage('export', await ctx.openStorage())
 * ```
 */
export function contentStorage(
  command: string,
  storage: ArtifactStorage & { readonly target?: ContentTarget },
): Copyable {
  if (storage.target) return storage as Copyable
  throw new SquizzleError(
    'STORAGE_UNSUPPORTED',
    `${command}: ${storage.name} is not a content store that versions can be copied to or from`,
    {
      hint: 'Use a storage plugin whose create() returns a ContentTarget, or build into and apply from that storage.',
      details: { storage: storage.name },
    },
  )
}
