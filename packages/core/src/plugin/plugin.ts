import type { DatabaseDriver } from '../driver/database-driver.js'
import type { ContentTarget } from '../oci/content-target.js'
import type { Signer } from '../signing/signing.js'
import type { ArtifactStorage } from '../storage/artifact-storage.js'
import type { pluginApiVersion } from './plugin-api-version.js'

/** Marks plugin objects; recognised by this registered symbol, never `instanceof` (a plugin brings its own core). */
export const pluginBrand = Symbol.for('squizzle.plugin')

/** What a plugin provides: where bundles live, the database it migrates, or who signs. */
export type PluginKind = 'storage' | 'driver' | 'signer'

/** What `create` returns, by kind. A storage may be a whole `ArtifactStorage` or just a `ContentTarget`. */
export interface PluginInstances {
  storage: ArtifactStorage | ContentTarget
  driver: DatabaseDriver
  signer: Signer
}

/** What the host (the CLI, a deploy script) hands `create`. */
export interface PluginContext {
  /** The project root (the config file's folder): resolve relative paths in options against it. */
  readonly root: string
  /** The run's environment variables. Read credentials from here, not from `process.env`. */
  readonly env: Readonly<Record<string, string | undefined>>
  /** The run's database URL (`--database-url`, `DATABASE_URL`, `database.url`), or null: what a driver connects to. */
  readonly databaseUrl: string | null
  /** Registers a value the host must never print (a token read from `env`). */
  addSecret(value: string): void
  /** Registers cleanup the host runs once it is done with what `create` returned (close pools, sockets). */
  onClose(close: () => Promise<void>): void
}

/**
 * What a plugin author writes (see {@link definePlugin}). `O` is the options type, which
 * `optionsSchema` describes: the host validates the options against it (with its `default`s
 * filled in) before `create` sees them.
 */
export interface PluginDefinition<K extends PluginKind = PluginKind, O = unknown> {
  /** The plugin API the plugin was written for: the `pluginApiVersion` of the core it was built against. */
  apiVersion: typeof pluginApiVersion
  /** The package name, e.g. `@acme/squizzle-storage-s3`. */
  name: string
  /** The package version. */
  version: string
  kind: K
  /**
   * JSON Schema (draft-07) of the options. Mark secrets `writeOnly: true` (keys named like
   * password, token or secret are treated so anyway): hosts never print their values.
   */
  optionsSchema: Record<string, unknown>
  /** URL schemes this storage answers (`s3` for `s3://bucket/x`); `fromUrl` turns such a URL into options. */
  schemes?: readonly string[]
  /** The options a URL of one of `schemes` stands for; they are validated like configured ones. */
  fromUrl?(url: URL): O
  /** Makes the instance: unconnected for a driver (the host calls `connect()`), ready to use otherwise. */
  create(options: O, context: PluginContext): PluginInstances[K] | Promise<PluginInstances[K]>
}

/** A plugin, as a module exports it: a definition carrying the plugin brand. */
export type SquizzlePlugin<K extends PluginKind = PluginKind, O = unknown> = Readonly<PluginDefinition<K, O>> & {
  readonly [pluginBrand]: true
}

/**
 * Declares a plugin. Export the result as the module's default export (or as `plugin`);
 * hosts load it from the package or file the config names.
 *
 * @example
 * ```ts
 * import { definePlugin } from '@squizzle/core'
 *
 * export default definePlugin({
 *   apiVersion: 1,
 *   name: '@acme/squizzle-storage-s3',
 *   version: '1.0.0',
 *   kind: 'storage',
 *   optionsSchema: { type: 'object', required: ['bucket'], properties: { bucket: { type: 'string' } } },
 *   schemes: ['s3'],
 *   fromUrl: (url) => ({ bucket: url.hostname }),
 *   create: (options: { bucket: string }) => new S3Target(options.bucket),
 * })
 * ```
 */
export function definePlugin<K extends PluginKind, O = Record<string, unknown>>(
  definition: PluginDefinition<K, O>,
): SquizzlePlugin<K, O> {
  return Object.freeze({ ...definition, [pluginBrand]: true as const })
}

/**
 * True when `value` carries the plugin brand, from any copy of core.
 *
 * @example
 * ```ts
 * const loaded = await import('@acme/squizzle-storage-s3')
 * if (isSquizzlePlugin(loaded.default)) console.log(loaded.default.name)
 * ```
 */
export function isSquizzlePlugin(value: unknown): value is SquizzlePlugin {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[pluginBrand] === true
}
