/**
 * How the config names a plugin: a package (resolved from the config file's folder, like
 * the project's own imports) or a path relative to the config file, and its options.
 *
 * @example
 * ```ts
 * const storage: PluginUse = { use: '@acme/squizzle-storage-s3', options: { bucket: 'releases' } }
 * ```
 */
export interface PluginUse {
  use: string
  /** Validated against the plugin's own `optionsSchema`. */
  options?: Record<string, unknown>
}
