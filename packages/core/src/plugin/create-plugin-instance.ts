import type { DatabaseDriver } from '../driver/database-driver.js'
import { isSquizzleError, SquizzleError } from '../errors/squizzle-error.js'
import type { ContentTarget } from '../oci/content-target.js'
import { createTargetStorage } from '../oci/target-storage.js'
import type { Signer } from '../signing/signing.js'
import type { ArtifactStorage } from '../storage/artifact-storage.js'
import { isArtifactStorage } from '../storage/storage-brand.js'
import type { PluginContext, SquizzlePlugin } from './plugin.js'

/** A plugin's storage: the `ArtifactStorage` it made, or core's over the `ContentTarget` it made (then in `target`). */
export type PluginStorage = ArtifactStorage & { readonly target?: ContentTarget }

const targetMethods = ['fetch', 'push', 'exists', 'resolve', 'tag', 'tags']

/**
 * Runs the plugin's `create` with validated options (see `pluginOptions`) and checks what it
 * returned. A storage plugin's `ContentTarget` is wrapped with `createTargetStorage`, so it gets
 * versions, attachments, immutability and verification. A `SquizzleError` from `create` passes
 * through; anything else thrown becomes `PLUGIN_FAILED`, and a wrong kind of object `PLUGIN_INVALID`.
 *
 * @example
 * ```ts
 * const storage = await createPluginInstance(plugin, pluginOptions(plugin, raw, 'storage.options'), context)
 * ```
 */
export async function createPluginInstance(
  plugin: SquizzlePlugin<'storage'>,
  options: unknown,
  context: PluginContext,
): Promise<PluginStorage>
export async function createPluginInstance(
  plugin: SquizzlePlugin<'driver'>,
  options: unknown,
  context: PluginContext,
): Promise<DatabaseDriver>
export async function createPluginInstance(
  plugin: SquizzlePlugin<'signer'>,
  options: unknown,
  context: PluginContext,
): Promise<Signer>
export async function createPluginInstance(
  plugin: SquizzlePlugin,
  options: unknown,
  context: PluginContext,
): Promise<unknown> {
  let made: unknown
  try {
    made = await plugin.create(options as Record<string, unknown>, context)
  } catch (cause) {
    if (isSquizzleError(cause)) throw cause
    const why = cause instanceof Error ? cause.message : String(cause)
    throw new SquizzleError('PLUGIN_FAILED', `${plugin.name} could not create its ${plugin.kind}: ${why}`, {
      hint: `Check the options of ${plugin.name}; if they are right, report it to its authors.`,
      details: { plugin: plugin.name, kind: plugin.kind },
      cause,
    })
  }
  return checkedInstance(plugin, made)
}

function checkedInstance(plugin: SquizzlePlugin, made: unknown): unknown {
  const has = (methods: string[]) => methods.every((m) => typeof (made as Record<string, unknown>)[m] === 'function')
  const isObject = typeof made === 'object' && made !== null
  if (plugin.kind === 'storage' && isArtifactStorage(made)) return made
  if (plugin.kind === 'storage' && isObject && has(targetMethods)) return createTargetStorage(made as ContentTarget)
  if (plugin.kind === 'driver' && isObject && has(['connect', 'close'])) return made
  if (plugin.kind === 'signer' && isObject && has(['sign'])) return made
  const wanted = { storage: 'an ArtifactStorage or a ContentTarget', driver: 'a DatabaseDriver', signer: 'a Signer' }[
    plugin.kind
  ]
  throw new SquizzleError(
    'PLUGIN_INVALID',
    `${plugin.name}'s create() returned ${describeValue(made)}, not ${wanted}`,
    {
      hint: `Report it to the authors of ${plugin.name}: a ${plugin.kind} plugin's create() must return ${wanted}.`,
      details: { plugin: plugin.name, kind: plugin.kind, problem: 'create() returned the wrong kind of object' },
    },
  )
}

function describeValue(value: unknown): string {
  if (value === null) return 'null'
  return typeof value === 'object' ? 'an object without the required methods' : typeof value
}
