/**
 * The plugin API this copy of core implements. A plugin declares the one it was written
 * for (`apiVersion`), and a host refuses a plugin whose number differs, before it runs any
 * of its code: `PLUGIN_API_MISMATCH`. It changes only when a plugin written for the previous
 * number could break (a method it must implement is added, a context field it reads goes).
 *
 * @example
 * ```ts
 * import { definePlugin, pluginApiVersion } from '@squizzle/core'
 *
 * pluginApiVersion // 1
 * ```
 */
export const pluginApiVersion = 1
