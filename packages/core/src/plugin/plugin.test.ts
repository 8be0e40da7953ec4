import { describe, expect, it } from 'vitest'
import { isArtifactStorage } from '../storage/storage-brand.js'
import { SquizzleError } from '../errors/squizzle-error.js'
import type { ContentTarget } from '../oci/content-target.js'
import { pluginFromModule } from './check-plugin.js'
import { createPluginInstance } from './create-plugin-instance.js'
import { pluginApiVersion } from './plugin-api-version.js'
import { pluginOptions } from './plugin-options.js'
import { pluginSecrets, redactPluginOptions } from './plugin-secrets.js'
import { definePlugin, isSquizzlePlugin, pluginBrand, type PluginContext, type PluginDefinition } from './plugin.js'

/** The code and details of what `fn` throws (tests assert on codes, never on messages). */
async function failure(fn: () => unknown): Promise<{ code: unknown; details?: Record<string, unknown> }> {
  try {
    await fn()
  } catch (err) {
    return err as { code: unknown; details?: Record<string, unknown> }
  }
  return { code: 'no error' }
}

const target: ContentTarget = {
  name: 'memory',
  fetch: () => Promise.reject(new Error('empty')),
  push: () => Promise.resolve(),
  exists: () => Promise.resolve(false),
  resolve: () => Promise.reject(new Error('empty')),
  tag: () => Promise.resolve(),
  tags: async function* () {},
}

const definition: PluginDefinition<'storage', { bucket: string; region?: string }> = {
  apiVersion: pluginApiVersion,
  name: '@acme/squizzle-storage-memory',
  version: '1.0.0',
  kind: 'storage',
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['bucket'],
    properties: { bucket: { type: 'string', pattern: '^[a-z]+$' }, region: { type: 'string', default: 'eu-west-1' } },
  },
  schemes: ['mem'],
  fromUrl: (url) => ({ bucket: url.hostname }),
  create: () => target,
}
const storagePlugin = definePlugin(definition)
const context: PluginContext = { root: '/srv/app', env: {}, databaseUrl: null, addSecret: () => {}, onClose: () => {} }
const load = (mod: unknown, kind: 'storage' | 'driver' | 'signer' = 'storage') =>
  pluginFromModule(mod, { source: 'x', kind })

describe('definePlugin', () => {
  it('brands the definition with Symbol.for("squizzle.plugin") and freezes it', () => {
    expect(isSquizzlePlugin(storagePlugin)).toBe(true)
    expect(Object.isFrozen(storagePlugin)).toBe(true)
    expect(storagePlugin[pluginBrand]).toBe(true)
  })

  it('is recognised from another copy of core by the registered symbol, not by a class', () => {
    expect(isSquizzlePlugin({ ...definition, [Symbol.for('squizzle.plugin')]: true })).toBe(true)
    expect(isSquizzlePlugin({ ...definition, [Symbol('squizzle.plugin')]: true })).toBe(false)
    expect(isSquizzlePlugin(definition)).toBe(false)
  })
})

describe('pluginFromModule', () => {
  it("takes the default export, an export named plugin, or a CommonJS build's exports.default", () => {
    expect(load({ default: storagePlugin })).toBe(storagePlugin)
    expect(load({ plugin: storagePlugin })).toBe(storagePlugin)
    expect(load({ default: { default: storagePlugin } })).toBe(storagePlugin)
  })

  it('refuses a module without a default export (PLUGIN_NO_EXPORT)', async () => {
    expect((await failure(() => load({ somethingElse: storagePlugin }))).code).toBe('PLUGIN_NO_EXPORT')
  })

  it('refuses an export not made by definePlugin (PLUGIN_INVALID)', async () => {
    expect((await failure(() => load({ default: definition }))).code).toBe('PLUGIN_INVALID')
    expect((await failure(() => load({ default: () => target }))).code).toBe('PLUGIN_INVALID')
  })

  it('refuses another plugin API version before anything else, naming both (PLUGIN_API_MISMATCH)', async () => {
    const future = {
      ...definition,
      apiVersion: pluginApiVersion + 1,
      create: 'not even a function',
      [pluginBrand]: true,
    }
    const err = await failure(() => load({ default: future }))
    expect(err.code).toBe('PLUGIN_API_MISMATCH')
    expect(err.details).toMatchObject({
      plugin: definition.name,
      source: 'x',
      declared: pluginApiVersion + 1,
      supported: pluginApiVersion,
    })
    const none = await failure(() => load({ default: { ...definition, apiVersion: undefined, [pluginBrand]: true } }))
    expect(none.code).toBe('PLUGIN_API_MISMATCH')
  })

  it('refuses a plugin of another kind than the slot needs (PLUGIN_KIND_MISMATCH)', async () => {
    const err = await failure(() => load({ default: storagePlugin }, 'driver'))
    expect(err.code).toBe('PLUGIN_KIND_MISMATCH')
    expect(err.details).toMatchObject({ kind: 'storage', expected: 'driver' })
  })

  it.each<[string, Record<string, unknown>]>([
    ['no name', { name: '' }],
    ['no version', { version: undefined }],
    ['an unknown kind', { kind: 'cache' }],
    ['no create function', { create: undefined }],
    ['no options schema', { optionsSchema: undefined }],
    ['an empty schemes list', { schemes: [] }],
    ['a scheme that is not a URL scheme', { schemes: ['S3://'] }],
    ['schemes without fromUrl', { fromUrl: undefined }],
    ['schemes on a driver', { kind: 'driver' }],
  ])('refuses a plugin with %s (PLUGIN_INVALID)', async (_name, change) => {
    const err = await failure(() =>
      load({ default: { ...definition, ...change, [pluginBrand]: true } }, (change['kind'] as 'driver') ?? 'storage'),
    )
    expect(err.code).toBe('PLUGIN_INVALID')
    expect(err.details?.['problem']).toEqual(expect.any(String))
  })
})

describe('pluginOptions', () => {
  it("returns a validated copy with the schema's defaults filled in", () => {
    const raw = { bucket: 'releases' }
    expect(pluginOptions(storagePlugin, raw, 'storage.options')).toEqual({ bucket: 'releases', region: 'eu-west-1' })
    expect(raw).toEqual({ bucket: 'releases' })
  })

  it('names each offending option path, never its value (PLUGIN_OPTIONS_INVALID)', async () => {
    const err = await failure(() =>
      pluginOptions(storagePlugin, { bucket: 'Not-Valid-s3cret', extra: 1 }, 'storage.options'),
    )
    expect(err.code).toBe('PLUGIN_OPTIONS_INVALID')
    const problems = (err.details?.['problems'] as string[]).join('\n')
    expect(problems).toContain('/bucket')
    expect(problems).toContain('extra')
    expect(JSON.stringify(err)).not.toContain('s3cret')
    expect((await failure(() => pluginOptions(storagePlugin, undefined, 'storage.options'))).code).toBe(
      'PLUGIN_OPTIONS_INVALID',
    )
  })

  it('refuses a plugin whose schema does not compile (PLUGIN_INVALID)', async () => {
    const broken = definePlugin({
      ...definition,
      optionsSchema: { type: 'object', properties: { a: { type: 'no-such-type' } } },
    })
    expect((await failure(() => pluginOptions(broken, {}, 'storage.options'))).code).toBe('PLUGIN_INVALID')
  })
})

describe('plugin option secrets', () => {
  const withSecrets = definePlugin({
    ...definition,
    optionsSchema: {
      type: 'object',
      properties: { auth: { type: 'object', writeOnly: true }, pin: { type: 'string', writeOnly: true } },
    },
  })
  const options = {
    url: 'postgres://app:p%40ss@db/releases',
    apiToken: 'tok-123',
    nested: { clientSecret: 42, region: 'eu' },
    auth: { user: 'ci', key: 'k-456' },
    pin: '7890',
    schema: 'releases',
  }

  it('finds values named like secrets, marked writeOnly (with what is under them), and URL passwords', () => {
    expect(pluginSecrets(withSecrets, options).sort()).toEqual(
      ['42', '7890', 'ci', 'k-456', 'p%40ss', 'p@ss', 'tok-123'].sort(),
    )
  })

  it('redacts exactly those, keeping the rest readable', () => {
    expect(redactPluginOptions(withSecrets, options)).toEqual({
      url: 'postgres://app:***@db/releases',
      apiToken: '***',
      nested: { clientSecret: '***', region: 'eu' },
      auth: { user: '***', key: '***' },
      pin: '***',
      schema: 'releases',
    })
  })
})

describe('createPluginInstance', () => {
  it('wraps a ContentTarget into a storage with versions, keeping the target', async () => {
    const storage = await createPluginInstance(storagePlugin, { bucket: 'x' }, context)
    expect(isArtifactStorage(storage)).toBe(true)
    expect(storage.target).toBe(target)
    expect(storage.name).toBe('memory')
  })

  it('passes a SquizzleError from create through, and turns anything else into PLUGIN_FAILED', async () => {
    const typed = definePlugin({
      ...definition,
      create: () => Promise.reject(new SquizzleError('STORAGE_ERROR', 'down')),
    })
    expect((await failure(() => createPluginInstance(typed, {}, context))).code).toBe('STORAGE_ERROR')
    const crashing = definePlugin({
      ...definition,
      create: () => {
        throw new TypeError('oops')
      },
    })
    expect((await failure(() => createPluginInstance(crashing, {}, context))).code).toBe('PLUGIN_FAILED')
  })

  it("refuses what is not an instance of the plugin's kind (PLUGIN_INVALID)", async () => {
    const wrong = definePlugin({
      ...definition,
      create: () => ({ name: 'half', fetch: () => undefined }) as unknown as ContentTarget,
    })
    expect((await failure(() => createPluginInstance(wrong, {}, context))).code).toBe('PLUGIN_INVALID')
    const signer = definePlugin({
      apiVersion: 1,
      name: 's',
      version: '1',
      kind: 'signer',
      optionsSchema: {},
      create: () => ({}) as never,
    })
    expect((await failure(() => createPluginInstance(signer, {}, context))).code).toBe('PLUGIN_INVALID')
  })
})
