import {
  createPluginInstance,
  pluginOptions,
  pluginSecrets,
  type DatabaseDriver,
  type PluginContext,
  type PluginKind,
  type PluginStorage,
  type PluginUse,
  type Signer,
} from '@squizzle/core'
import { loadPlugin, type LoadedPlugin } from './load-plugin.js'
import { openSchemeStorage, schemeTable, type SchemeTable } from './plugin-schemes.js'

/** What the host needs from the run: where the project is, its environment, and the secret scrubber. */
export interface PluginHostOptions {
  root: string
  env: Readonly<Record<string, string | undefined>>
  databaseUrl: () => string | null
  /** Adds values the reporter must never print. */
  addSecrets: (values: string[]) => void
}

/**
 * The plugins of one CLI run: each module loaded once, on first need (nothing is discovered;
 * only what the config names is loaded), options validated and their secrets registered
 * before `create` runs, and every cleanup a plugin registered run by {@link close}.
 *
 * @example
 * ```ts
 * const host = new PluginHost({ root, env, databaseUrl: () => url, addSecrets })
 * const storage = await host.storage({ use: '@squizzle-examples/storage-pgtable', options }, 'storage')
 * ```
 */
export class PluginHost {
  private readonly modules = new Map<string, Promise<LoadedPlugin>>()
  private readonly closers: (() => Promise<void>)[] = []
  private schemes: Promise<SchemeTable> | undefined

  constructor(private readonly run: PluginHostOptions) {}

  /** Imports and checks the plugin `use` names, once per run (see `loadPlugin`). */
  load<K extends PluginKind>(use: string, kind: K): Promise<LoadedPlugin<K>> {
    const key = `${kind}:${use}`
    if (!this.modules.has(key)) this.modules.set(key, loadPlugin(use, this.run.root, kind))
    return this.modules.get(key) as Promise<LoadedPlugin<K>>
  }

  /** The storage a `storage: { use, options }` names; `where` is its config key, for messages. */
  async storage(choice: PluginUse, where: string): Promise<PluginStorage> {
    const { plugin } = await this.load(choice.use, 'storage')
    return createPluginInstance(plugin, this.options(plugin, choice.options, `${where}.options`), this.context())
  }

  /** The storage a URL names through a scheme one of `uses` registers, or null when none does. */
  async storageForUrl(url: string, uses: readonly string[]): Promise<PluginStorage | null> {
    this.schemes ??= schemeTable(uses, (use) => this.load(use, 'storage'))
    return openSchemeStorage(url, await this.schemes, (plugin, raw, source) => {
      return createPluginInstance(plugin, this.options(plugin, raw, source), this.context())
    })
  }

  /** The (unconnected) driver a `driver: { use, options }` names. */
  async driver(choice: PluginUse): Promise<DatabaseDriver> {
    const { plugin } = await this.load(choice.use, 'driver')
    return createPluginInstance(plugin, this.options(plugin, choice.options, 'driver.options'), this.context())
  }

  /** The signer a `signer: { use, options }` names. */
  async signer(choice: PluginUse): Promise<Signer> {
    const { plugin } = await this.load(choice.use, 'signer')
    return createPluginInstance(plugin, this.options(plugin, choice.options, 'signer.options'), this.context())
  }

  /** Runs every cleanup plugins registered, newest first; all run, then the first failure (if any) is thrown. */
  async close(): Promise<void> {
    const failures: unknown[] = []
    for (const close of this.closers.splice(0).reverse()) await close().catch((err: unknown) => failures.push(err))
    if (failures.length > 0) throw failures[0]
  }

  /** Validated options; their secrets are registered first, so no message or output can show them. */
  private options(plugin: LoadedPlugin['plugin'], raw: unknown, source: string): unknown {
    this.run.addSecrets(pluginSecrets(plugin, raw))
    return pluginOptions(plugin, raw, source)
  }

  private context(): PluginContext {
    return {
      root: this.run.root,
      env: this.run.env,
      databaseUrl: this.run.databaseUrl(),
      addSecret: (value) => this.run.addSecrets([value]),
      onClose: (close) => void this.closers.push(close),
    }
  }
}
