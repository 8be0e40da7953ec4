import { SquizzleError } from '../errors/squizzle-error.js'
import { pluginApiVersion } from './plugin-api-version.js'
import { isSquizzlePlugin, type PluginKind, type SquizzlePlugin } from './plugin.js'

/** What the host expects of a module: where it came from (for messages) and the kind of plugin it needs. */
export interface PluginExpectation {
  /** How the config names it: a package name or a path. */
  source: string
  kind: PluginKind
}

const kinds: readonly PluginKind[] = ['storage', 'driver', 'signer']
const schemePattern = /^[a-z][a-z0-9+.-]*$/

/**
 * The plugin a loaded module exports (its default export, or `plugin`), checked before
 * any of its code runs: the brand (`PLUGIN_NO_EXPORT`, `PLUGIN_INVALID`), the plugin API
 * version (`PLUGIN_API_MISMATCH`), its fields (`PLUGIN_INVALID`) and its kind (`PLUGIN_KIND_MISMATCH`).
 *
 * @example
 * ```ts
 * const plugin = pluginFromModule(await import(file), { source: '@acme/squizzle-storage-s3', kind: 'storage' })
 * ```
 */
export function pluginFromModule<K extends PluginKind>(
  mod: unknown,
  expected: PluginExpectation & { kind: K },
): SquizzlePlugin<K> {
  const plugin = exportedPlugin(mod, expected.source)
  const name = typeof plugin.name === 'string' && plugin.name !== '' ? plugin.name : expected.source
  const details = { plugin: name, source: expected.source }
  if (plugin.apiVersion !== pluginApiVersion) {
    const declared = JSON.stringify(plugin.apiVersion)
    const supported = `this Squizzle supports plugin API ${pluginApiVersion}`
    const message = `${describe(name, expected.source)} targets plugin API ${declared}, ${supported}`
    throw new SquizzleError('PLUGIN_API_MISMATCH', message, {
      hint: `Install a release of ${name} for plugin API ${pluginApiVersion}, or a Squizzle with API ${declared}.`,
      details: { ...details, declared: plugin.apiVersion ?? null, supported: pluginApiVersion },
    })
  }
  const problem = shapeProblem(plugin)
  if (problem)
    throw invalid(`${describe(name, expected.source)} is not a valid plugin: ${problem}`, { ...details, problem })
  if (plugin.kind !== expected.kind) {
    throw new SquizzleError(
      'PLUGIN_KIND_MISMATCH',
      `${describe(name, expected.source)} is a ${plugin.kind} plugin, not a ${expected.kind} plugin`,
      {
        hint: `Use it where a ${plugin.kind} plugin belongs, or name a ${expected.kind} plugin here.`,
        details: { ...details, kind: plugin.kind, expected: expected.kind },
      },
    )
  }
  return plugin as SquizzlePlugin<K>
}

/** The branded export: `default`, `plugin`, or the same one level down (a CommonJS build's `exports.default`). */
function exportedPlugin(mod: unknown, source: string): SquizzlePlugin {
  const namespace = (typeof mod === 'object' && mod !== null ? mod : {}) as Record<string, unknown>
  const top = [namespace['default'], namespace['plugin']]
  const nested = top.flatMap((v) =>
    typeof v === 'object' && v !== null
      ? [(v as Record<string, unknown>)['default'], (v as Record<string, unknown>)['plugin']]
      : [],
  )
  const found = [...top, ...nested].find(isSquizzlePlugin)
  if (found) return found
  if (top.every((v) => v === undefined)) {
    throw new SquizzleError('PLUGIN_NO_EXPORT', `${source} has no default export (and no export named "plugin")`, {
      hint: 'Export the plugin: `export default definePlugin({ … })`.',
      details: { source },
    })
  }
  return invalidExport(source)
}

function invalidExport(source: string): never {
  throw invalid(`${source} is not a Squizzle plugin: its default export was not made by definePlugin()`, {
    source,
    problem: 'no plugin brand',
  })
}

/** The first thing wrong with a branded plugin's fields, or null. */
function shapeProblem(plugin: SquizzlePlugin): string | null {
  const schemes: unknown = plugin.schemes
  const checks: [boolean, string][] = [
    [typeof plugin.name === 'string' && plugin.name !== '', '"name" must be a non-empty string'],
    [typeof plugin.version === 'string' && plugin.version !== '', '"version" must be a non-empty string'],
    [kinds.includes(plugin.kind), `"kind" must be one of ${kinds.join(', ')}`],
    [typeof plugin.create === 'function', '"create" must be a function'],
    [isPlainObject(plugin.optionsSchema), '"optionsSchema" must be a JSON Schema object'],
    [schemes === undefined || (Array.isArray(schemes) && schemes.length > 0), '"schemes" must be a non-empty array'],
    [
      (Array.isArray(schemes) ? schemes : []).every((s) => typeof s === 'string' && schemePattern.test(s)),
      '"schemes" must be lower-case URL schemes',
    ],
    [schemes === undefined || plugin.kind === 'storage', 'only a storage plugin registers URL schemes'],
    [schemes === undefined || typeof plugin.fromUrl === 'function', 'a plugin with "schemes" needs "fromUrl"'],
  ]
  return checks.find(([ok]) => !ok)?.[1] ?? null
}

function describe(name: string, source: string): string {
  return name === source ? name : `${name} (${source})`
}

function isPlainObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function invalid(message: string, details: Record<string, unknown>): SquizzleError {
  return new SquizzleError('PLUGIN_INVALID', message, {
    hint: 'Check the package or path: it must export a plugin made by definePlugin() from @squizzle/core.',
    details,
  })
}
