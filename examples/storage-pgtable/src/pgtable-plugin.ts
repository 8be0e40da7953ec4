import { readFileSync } from 'node:fs'
import { definePlugin, SquizzleError, type PluginContext } from '@squizzle/core'
import { optionsFromUrl } from './options-from-url.js'
import { PgTableTarget, type PgTableOptions } from './pgtable-target.js'

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  name: string
  version: string
}

/** Read for the database URL when the options name none: it keeps the password out of the config. */
export const urlEnvVar = 'SQUIZZLE_PGTABLE_URL'

/** What the options may say; the host validates them against it before `create` runs. */
export const optionsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    url: {
      type: 'string',
      pattern: '^postgres(ql)?://',
      description: `PostgreSQL URL of the database that holds the store (default: $${urlEnvVar}).`,
    },
    schema: {
      type: 'string',
      pattern: '^[a-z_][a-z0-9_]{0,62}$',
      default: 'squizzle_store',
      description: "The schema of the store's tables, created on the first push.",
    },
    chunkBytes: {
      type: 'integer',
      minimum: 1024,
      maximum: 64 * 1024 * 1024,
      description: 'Bytes per stored chunk (default 1 MiB).',
    },
  },
}

/**
 * The plugin: a storage that keeps Squizzle bundles in PostgreSQL tables, for a team
 * without a registry. Configure it by package name, or register the `pgtable://` scheme.
 *
 * @example
 * ```ts
 * // squizzle.config.mjs
 * export default { storage: { use: '@squizzle-examples/storage-pgtable', options: { schema: 'releases' } } }
 * ```
 */
export const plugin = definePlugin({
  apiVersion: 1,
  name: pkg.name,
  version: pkg.version,
  kind: 'storage',
  optionsSchema,
  schemes: ['pgtable'],
  fromUrl: optionsFromUrl,
  create(options: Partial<PgTableOptions>, context: PluginContext) {
    const url = options.url ?? context.env[urlEnvVar]
    if (!url) {
      throw new SquizzleError(
        'PLUGIN_OPTIONS_INVALID',
        `${pkg.name} needs a database: options.url is not set, nor is ${urlEnvVar}`,
        {
          hint: `Set ${urlEnvVar} (or url in the storage options) to postgres://USER@HOST/DATABASE.`,
        },
      )
    }
    for (const secret of passwordsOf(url)) context.addSecret(secret)
    const target = new PgTableTarget({ ...options, url })
    context.onClose(() => target.close())
    return target
  },
})

/** The password of a URL, as written and decoded, so the host never prints it (it may come from the environment). */
function passwordsOf(url: string): string[] {
  try {
    const { password } = new URL(url)
    return password ? [password, decodeURIComponent(password)] : []
  } catch {
    return []
  }
}
