import { describe, expect, it } from 'vitest'
import { isSquizzleError } from '../errors/squizzle-error.js'
import { resolveEnvironment, validateConfig, type SquizzleConfig } from './config.js'

/** The typed error `fn` throws. */
function errorOf(fn: () => unknown): { code: string; details?: Record<string, unknown> } {
  try {
    fn()
  } catch (err) {
    if (isSquizzleError(err)) return err
    throw err
  }
  throw new Error('expected a SquizzleError')
}

const config: SquizzleConfig = {
  $schema: './node_modules/@squizzle/cli/config.schema.json',
  storage: 'file:.squizzle/artifacts',
  database: { applicationName: 'squizzle' },
  paths: { migrations: 'db/migrations', rollback: 'db/rollback' },
  lockTimeoutMs: 60_000,
  limits: { maxFiles: 1000, maxRatio: 100 },
  environments: {
    production: {
      storage: 'oci://ghcr.io/acme/db',
      database: { url: 'postgres://prod/db' },
      paths: { seed: 'db/seed-prod' },
      limits: { maxFiles: 50 },
      allowOutOfOrder: false,
    },
    staging: {},
  },
}

describe('validateConfig', () => {
  it('accepts a full config and returns it', () => {
    expect(validateConfig(config, 'squizzle.config.json')).toBe(config)
  })

  it('accepts the ledger path, at the top level and per environment', () => {
    const value = { ledger: 'db/squizzle.sum', environments: { ci: { ledger: 'release/squizzle.sum' } } }
    expect(validateConfig(value, 'squizzle.config.json')).toBe(value)
  })

  it('accepts seeds and the connect timeout, at the top level and per environment', () => {
    const production = { seeds: false, database: { connectTimeout: 120000 } }
    const value = { seeds: true, database: { connectTimeout: '45s' }, environments: { production } }
    expect(validateConfig(value, 'squizzle.config.json')).toBe(value)
    expect(resolveEnvironment(value, 'production')).toMatchObject(production)
    expect(resolveEnvironment(value, undefined)).toMatchObject({ seeds: true, database: { connectTimeout: '45s' } })
  })

  it('treats an empty file (null or undefined) as an empty config', () => {
    expect(validateConfig(null, 'squizzle.config.yaml')).toEqual({})
    expect(validateConfig(undefined, 'squizzle.config.yaml')).toEqual({})
  })

  it.each<[string, unknown, string]>([
    ['an unknown top-level key', { storag: 'file:x' }, 'storag'],
    ['an unknown nested key', { database: { host: 'db' } }, 'host'],
    ['a wrongly typed value', { lockTimeoutMs: 'soon' }, '/lockTimeoutMs'],
    ['a value out of range', { limits: { maxFiles: 0 } }, '/limits/maxFiles'],
    ['a value outside its enum', { transactionScope: 'statement' }, '/transactionScope'],
    ['an empty ledger path', { ledger: '' }, '/ledger'],
    ['non-boolean seeds', { environments: { production: { seeds: 'no' } } }, '/environments/production/seeds'],
    ['a connect timeout that is not a duration', { database: { connectTimeout: 'soon' } }, '/database/connectTimeout'],
    [
      'a bad key inside an environment',
      { environments: { production: { lockTimeoutMs: -1 } } },
      '/environments/production/lockTimeoutMs',
    ],
    ['an unknown key inside an environment', { environments: { production: { environments: {} } } }, 'environments'],
  ])('refuses %s with CONFIG_INVALID naming the key in details.problems', (_name, value, key) => {
    const err = errorOf(() => validateConfig(value, 'squizzle.config.yaml'))
    expect(err.code).toBe('CONFIG_INVALID')
    expect(err.details?.['source']).toBe('squizzle.config.yaml')
    expect((err.details?.['problems'] as string[]).join('\n')).toContain(key)
  })

  it('accepts noTransaction paths and snapshot settings, and refuses an unknown snapshot key', () => {
    const value = {
      noTransaction: ['migrations/0219_x.sql'],
      snapshot: { enabled: false, devUrl: 'postgres://localhost/dev' },
    }
    expect(validateConfig(value, 'c.json')).toBe(value)
    expect(errorOf(() => validateConfig({ snapshot: { enable: true } }, 'c.json')).code).toBe('CONFIG_INVALID')
    expect(errorOf(() => validateConfig({ noTransaction: 'migrations/x.sql' }, 'c.json')).code).toBe('CONFIG_INVALID')
  })

  it('reports every problem, not only the first', () => {
    const err = errorOf(() => validateConfig({ lockTimeoutMs: 'soon', allowOutOfOrder: 'yes' }, 'c.json'))
    const problems = (err.details?.['problems'] as string[]).join('\n')
    expect(problems).toContain('/lockTimeoutMs')
    expect(problems).toContain('/allowOutOfOrder')
  })

  it.each([[], 'storage: x', 42])('refuses %j, which is not an object (CONFIG_INVALID)', (value) => {
    expect(errorOf(() => validateConfig(value, 'c.json')).code).toBe('CONFIG_INVALID')
  })
})

describe('plugin settings', () => {
  it('accepts storage, driver and signer plugins with options, and a plugins list, also per environment', () => {
    const value: SquizzleConfig = {
      storage: { use: '@squizzle-examples/storage-pgtable', options: { schema: 'releases' } },
      driver: { use: './plugins/driver.mjs' },
      signer: { use: '@acme/squizzle-signer-kms', options: { keyId: 'alias/release' } },
      plugins: ['@squizzle-examples/storage-pgtable', './plugins/s3.mjs'],
      environments: { ci: { storage: 'pgtable://db/releases', plugins: ['@squizzle-examples/storage-pgtable'] } },
    }
    expect(validateConfig(value, 'squizzle.config.yaml')).toBe(value)
  })

  it("lets an environment replace a plugin storage whole (never mixing one plugin's options into another)", () => {
    const config: SquizzleConfig = {
      storage: { use: 'a', options: { bucket: 'x' } },
      environments: { prod: { storage: { use: 'b' } }, local: { storage: 'file:.squizzle/artifacts' } },
    }
    expect(resolveEnvironment(config, 'prod').storage).toEqual({ use: 'b' })
    expect(resolveEnvironment(config, 'local').storage).toBe('file:.squizzle/artifacts')
  })

  it.each<[string, unknown, string]>([
    ['a plugin without use', { storage: { options: {} } }, '/storage'],
    ['an empty use', { driver: { use: '' } }, '/driver/use'],
    ['an unknown key next to use', { signer: { use: 'x', option: {} } }, 'option'],
    ['options that are not an object', { driver: { use: 'x', options: 'a=b' } }, '/driver/options'],
    ['a plugins entry that is not a string', { plugins: [{ use: 'x' }] }, '/plugins/0'],
    ['the same plugin twice', { plugins: ['x', 'x'] }, '/plugins'],
  ])('refuses %s (CONFIG_INVALID naming the key)', (_name, value, key) => {
    const err = errorOf(() => validateConfig(value, 'squizzle.config.yaml'))
    expect(err.code).toBe('CONFIG_INVALID')
    expect((err.details?.['problems'] as string[]).join('\n')).toContain(key)
  })
})

describe('resolveEnvironment', () => {
  it('returns the top level, without environments and $schema, when no environment is named', () => {
    const settings = resolveEnvironment(config, undefined)
    expect(settings).not.toHaveProperty('environments')
    expect(settings).not.toHaveProperty('$schema')
    expect(settings.storage).toBe('file:.squizzle/artifacts')
  })

  it('overrides top-level settings with the environment’s and merges nested objects key by key', () => {
    const settings = resolveEnvironment(config, 'production')
    expect(settings).toEqual({
      storage: 'oci://ghcr.io/acme/db',
      database: { applicationName: 'squizzle', url: 'postgres://prod/db' },
      paths: { migrations: 'db/migrations', rollback: 'db/rollback', seed: 'db/seed-prod' },
      lockTimeoutMs: 60_000,
      limits: { maxFiles: 50, maxRatio: 100 },
      allowOutOfOrder: false,
    })
  })

  it('merges snapshot settings key by key, and adds none when neither level has them', () => {
    const withSnapshot: SquizzleConfig = {
      snapshot: { devUrl: 'postgres://dev/x' },
      environments: { ci: { snapshot: { enabled: false } } },
    }
    expect(resolveEnvironment(withSnapshot, 'ci').snapshot).toEqual({ devUrl: 'postgres://dev/x', enabled: false })
    expect(resolveEnvironment(config, 'production')).not.toHaveProperty('snapshot')
  })

  it('gives the top level for an environment with no settings of its own', () => {
    const settings = resolveEnvironment(config, 'staging')
    expect(settings.storage).toBe('file:.squizzle/artifacts')
    expect(settings.paths).toEqual(config.paths)
  })

  it('does not change the config it reads', () => {
    const copy = structuredClone(config)
    resolveEnvironment(config, 'production')
    expect(config).toEqual(copy)
  })

  it('refuses an environment that is not defined (CONFIG_INVALID)', () => {
    expect(errorOf(() => resolveEnvironment(config, 'prod')).code).toBe('CONFIG_INVALID')
    expect(errorOf(() => resolveEnvironment({ storage: 'file:x' }, 'production')).code).toBe('CONFIG_INVALID')
  })

  it.each(['toString', 'constructor', '__proto__', 'hasOwnProperty'])(
    'refuses %j, a name only inherited from Object.prototype (CONFIG_INVALID)',
    (env) => {
      expect(errorOf(() => resolveEnvironment(config, env)).code).toBe('CONFIG_INVALID')
    },
  )
})

describe('signing and trust settings', () => {
  const invalid = (value: unknown): boolean => {
    try {
      validateConfig(value, 'squizzle.config.yaml')
      return false
    } catch (err) {
      return isSquizzleError(err) && err.code === 'CONFIG_INVALID'
    }
  }

  it('accepts a signing block and a trust policy per environment, the environment replacing the top level', () => {
    const config = validateConfig(
      {
        signing: {
          method: 'keyless',
          fulcioUrl: 'https://fulcio.example',
          rekorUrl: 'https://rekor.example',
          tsaUrl: 'http://127.0.0.1:8080/api/v1/timestamp',
        },
        trust: { signatures: 'optional' },
        environments: {
          production: {
            trust: {
              signatures: 'required',
              publicKeys: ['keys/release.pub'],
              identities: [
                { issuer: 'https://token.actions.githubusercontent.com', subject: 'https://github\\.com/acme/.*' },
              ],
              trustedRoot: 'trusted_root.json',
            },
          },
        },
      },
      'squizzle.config.yaml',
    )
    expect(resolveEnvironment(config, undefined).trust).toEqual({ signatures: 'optional' })
    expect(resolveEnvironment(config, 'production').trust?.publicKeys).toEqual(['keys/release.pub'])
  })

  it.each([
    ['a trust block without signatures', { trust: { publicKeys: ['a.pub'] } }],
    ['an unknown signatures value', { trust: { signatures: 'sometimes' } }],
    ['an identity without a subject', { trust: { signatures: 'required', identities: [{ issuer: 'https://x' }] } }],
    ['an unknown trust key', { trust: { signatures: 'required', keys: [] } }],
    ['a URL with credentials', { signing: { rekorUrl: 'https://user:pw@rekor.example' } }],
    ['a URL that is not http(s)', { signing: { fulcioUrl: 'file:///etc/passwd' } }],
    ['an unknown signing method', { signing: { method: 'gpg' } }],
  ])('refuses %s (CONFIG_INVALID)', (_name, value) => {
    expect(invalid(value)).toBe(true)
  })
})
