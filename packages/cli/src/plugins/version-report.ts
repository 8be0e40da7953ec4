import { createRequire } from 'node:module'
import {
  pluginApiVersion,
  pluginOptions,
  pluginSecrets,
  redactPluginOptions,
  type PluginKind,
  type PluginUse,
} from '@squizzle/core'
import type { CommandContext } from '../context.js'
import { toolVersion } from '../tool-version.js'

/** One plugin the config loads, as `--version --verbose` lists it. */
export interface PluginReport {
  /** The config key naming it: storage, driver, signer, or plugins. */
  role: 'storage' | 'driver' | 'signer' | 'plugins'
  use: string
  name: string
  version: string
  kind: PluginKind
  apiVersion: number
  schemes: string[]
  /** The file it was imported from. */
  from: string
  /** Its validated options, secrets redacted; null for a `plugins` entry, which has none. */
  options: unknown
}

/** What `squizzle --version --verbose` reports. */
export interface VersionReport {
  squizzle: string
  core: string
  node: string
  pluginApiVersion: number
  config: string | null
  plugins: PluginReport[]
}

/**
 * The versions of the CLI, core and Node, and every plugin the config names, each loaded
 * and checked (an unusable one fails here as it would in a command) but none created.
 *
 * @example
 * ```ts
 * const report = await versionReport(ctx) // { squizzle: '0.1.0', core: '0.1.0', node: 'v20.20.2', plugins: [...] }
 * ```
 */
export async function versionReport(ctx: CommandContext): Promise<VersionReport> {
  const { storage, driver, signer, plugins } = ctx.settings
  const slots: [PluginReport['role'], PluginKind, PluginUse | undefined][] = [
    ['storage', 'storage', typeof storage === 'object' ? storage : undefined],
    ['driver', 'driver', driver],
    ['signer', 'signer', signer],
  ]
  const reports: PluginReport[] = []
  for (const [role, kind, choice] of slots) if (choice) reports.push(await describePlugin(ctx, role, kind, choice))
  for (const use of plugins ?? []) reports.push(await describePlugin(ctx, 'plugins', 'storage', { use }))
  return {
    squizzle: toolVersion,
    core: coreVersion(),
    node: process.version,
    pluginApiVersion,
    config: ctx.loaded.file,
    plugins: reports,
  }
}

async function describePlugin(
  ctx: CommandContext,
  role: PluginReport['role'],
  kind: PluginKind,
  choice: PluginUse,
): Promise<PluginReport> {
  const { plugin, file } = await ctx.plugins.load(choice.use, kind)
  let options: unknown = null
  if (role !== 'plugins') {
    ctx.addSecrets(pluginSecrets(plugin, choice.options))
    options = redactPluginOptions(plugin, pluginOptions(plugin, choice.options, `${role}.options`))
  }
  const { name, version, apiVersion } = plugin
  return {
    role,
    use: choice.use,
    name,
    version,
    kind: plugin.kind,
    apiVersion,
    schemes: [...(plugin.schemes ?? [])],
    from: file,
    options,
  }
}

/** The version of the @squizzle/core this CLI runs with. */
function coreVersion(): string {
  const require = createRequire(import.meta.url)
  return (require('@squizzle/core/package.json') as { version: string }).version
}
