import { isSquizzleError, redactUrl, SquizzleError, type PluginStorage, type SquizzlePlugin } from '@squizzle/core'
import type { LoadedPlugin } from './load-plugin.js'

/** The URL schemes Squizzle handles itself; no plugin may take them over. */
export const builtinSchemes: readonly string[] = ['file', 'oci']

/** Which loaded storage plugin answers each registered scheme. */
export type SchemeTable = Map<string, LoadedPlugin<'storage'>>

type Open = (plugin: SquizzlePlugin<'storage'>, options: unknown, source: string) => Promise<PluginStorage>

/**
 * The lower-case scheme of a URL (`pgtable` for `pgtable://db/x`), or null for text that has none.
 *
 * @example
 * ```ts
 * schemeOf('S3://bucket/x') // 's3'
 * ```
 */
export function schemeOf(url: string): string | null {
  return /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase() ?? null
}

/**
 * Loads every plugin of the config's `plugins` list and maps the schemes they register.
 * Each must register at least one (`PLUGIN_INVALID`); a scheme registered twice, or a
 * built-in one, is `PLUGIN_SCHEME_CONFLICT` naming both sides.
 *
 * @example
 * ```ts
 * const table = await schemeTable(['@squizzle-examples/storage-pgtable'], (use) => host.load(use, 'storage'))
 * ```
 */
export async function schemeTable(
  uses: readonly string[],
  load: (use: string) => Promise<LoadedPlugin<'storage'>>,
): Promise<SchemeTable> {
  const table: SchemeTable = new Map()
  for (const use of uses) {
    const loaded = await load(use)
    const schemes = loaded.plugin.schemes ?? []
    if (schemes.length === 0) {
      throw new SquizzleError(
        'PLUGIN_INVALID',
        `plugin ${use} registers no URL scheme, but plugins lists only those that do`,
        {
          hint: 'Name it as storage: { use, options } instead, or drop it from plugins.',
          details: { use, plugin: loaded.plugin.name, problem: 'no schemes' },
        },
      )
    }
    for (const scheme of schemes) {
      const other = builtinSchemes.includes(scheme) ? 'Squizzle itself' : table.get(scheme)?.use
      if (other !== undefined) throw conflict(scheme, use, other)
      table.set(scheme, loaded)
    }
  }
  return table
}

/**
 * Opens the storage a plugin-scheme URL names: the plugin's `fromUrl` turns it into options,
 * which are validated like configured ones. Null when no plugin registers the scheme.
 *
 * @example
 * ```ts
 * const storage = await openSchemeStorage('pgtable://db/releases', table, open)
 * ```
 */
export async function openSchemeStorage(url: string, table: SchemeTable, open: Open): Promise<PluginStorage | null> {
  const loaded = table.get(schemeOf(url) ?? '')
  if (!loaded) return null
  const shown = redactUrl(url)
  let options: unknown
  try {
    options = loaded.plugin.fromUrl?.(new URL(url))
  } catch (cause) {
    if (isSquizzleError(cause)) throw cause
    throw new SquizzleError('STORAGE_URL_INVALID', `"${shown}" is not a URL ${loaded.plugin.name} understands`, {
      hint: `Check the URL against the documentation of ${loaded.plugin.name}.`,
      cause,
    })
  }
  return open(loaded.plugin, options, `the URL ${shown}`)
}

function conflict(scheme: string, use: string, other: string): SquizzleError {
  return new SquizzleError(
    'PLUGIN_SCHEME_CONFLICT',
    `both ${other} and plugin ${use} register the URL scheme "${scheme}:"`,
    {
      hint: 'Keep one of them in plugins: a URL must never depend on which plugin loads first.',
      details: { scheme, plugins: [other, use] },
    },
  )
}
