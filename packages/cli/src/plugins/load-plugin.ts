import { pathToFileURL } from 'node:url'
import { isSquizzleError, pluginFromModule, SquizzleError, type PluginKind, type SquizzlePlugin } from '@squizzle/core'
import { resolvePluginFile } from './resolve-plugin.js'

/** A plugin module, imported and checked: what it is and where it was loaded from. */
export interface LoadedPlugin<K extends PluginKind = PluginKind> {
  plugin: SquizzlePlugin<K>
  /** How the config names it. */
  use: string
  /** The file it was imported from. */
  file: string
}

/**
 * Resolves `use` from the project root, imports it and checks it is a plugin of `kind` for
 * this core's plugin API (see `pluginFromModule`). Nothing of the plugin runs but its
 * module's top level. A module that fails to import is `PLUGIN_INVALID`, with the reason.
 *
 * @example
 * ```ts
 * const { plugin, file } = await loadPlugin('@squizzle-examples/storage-pgtable', ctx.root, 'storage')
 * ```
 */
export async function loadPlugin<K extends PluginKind>(use: string, root: string, kind: K): Promise<LoadedPlugin<K>> {
  const file = resolvePluginFile(use, root)
  let mod: unknown
  try {
    mod = await import(pathToFileURL(file).href)
  } catch (cause) {
    if (isSquizzleError(cause)) throw cause
    const why = cause instanceof Error ? cause.message : String(cause)
    throw new SquizzleError('PLUGIN_INVALID', `plugin ${use} could not be imported from ${file}: ${why}`, {
      hint: 'Install its dependencies in the project; if the module itself is broken, report it to its authors.',
      details: { use, file, problem: 'import failed' },
      cause,
    })
  }
  return { plugin: pluginFromModule(mod, { source: use, kind }), use, file }
}
