import { SquizzleError, type PluginStorage } from '@squizzle/core'
import type { StorageUse } from '../storage-presence.js'

/**
 * Refuses a plugin storage a command needs to exist (`required`) while it holds no
 * version: as with a registry, a storage exists once something was stored in it, so a
 * mistyped option or URL is `STORAGE_NOT_FOUND`, never an empty storage and a silent
 * no-op. Other uses take it as it is (the plugin creates what it needs on first write).
 *
 * @example
 * ```ts
 * const storage = await preparePluginStorage(await host.storage(choice, 'storage'), 'required')
 * ```
 */
export async function preparePluginStorage(storage: PluginStorage, use: StorageUse): Promise<PluginStorage> {
  if (use !== 'required' || (await holdsSomething(storage))) return storage
  throw new SquizzleError('STORAGE_NOT_FOUND', `${storage.name} holds no versions`, {
    hint:
      'Check the storage options (or URL) in the config and --storage / SQUIZZLE_STORAGE; ' +
      'build or push a version into it first.',
    details: { storage: storage.name },
  })
}

async function holdsSomething(storage: PluginStorage): Promise<boolean> {
  if (!storage.target) return (await storage.list()).length > 0
  for await (const _tag of storage.target.tags()) return true
  return false
}
