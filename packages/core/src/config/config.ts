import type { BundleLimits } from '../bundle/limits.js'
import type { TransactionScope } from '../manifest/manifest.js'
import { SquizzleError } from '../errors/squizzle-error.js'
import type { PluginUse } from '../plugin/plugin-use.js'
import type { FleetStage } from '../fleet/fleet-stage.js'
import { validateConfigShape } from '../schema/validators/validate-config-shape.js'
import { schemaCheck } from '../schema/schema-check.js'

/** How `build` lints new SQL with squawk. */
export interface LintSettings {
  level?: 'warn' | 'error'
  exclude?: string[]
  include?: string[]
  pgVersion?: string
}

/** Settings that may appear at the top level or in an environment. */
export interface ConfigSettings {
  /** A storage URL (`file:`, `oci://`, or a scheme a plugin registers), or a storage plugin. */
  storage?: string | PluginUse
  /** A driver plugin; the built-in PostgreSQL driver when absent. */
  driver?: PluginUse
  /** A signer plugin, instead of `signing`'s key or keyless signer. */
  signer?: PluginUse
  /** Storage plugins loaded for the URL schemes they register. */
  plugins?: string[]
  /** `oci://HOST[:PORT]/REPO`: where push/pull copy versions to and from. */
  registry?: string
  /** `connectTimeout`: how long to retry while the server is not up yet (a duration such as `30s`, or milliseconds). */
  /** `schema`: schema-per-tenant, the one tenant schema single-target commands migrate. */
  database?: { url?: string; applicationName?: string; connectTimeout?: string | number; schema?: string }
  paths?: { migrations?: string; rollback?: string; seed?: string; drizzle?: string }
  /** The release ledger file, relative to the config file (default `db/squizzle.sum`). */
  ledger?: string
  transactionScope?: TransactionScope
  lint?: LintSettings
  noTransaction?: string[]
  snapshot?: { enabled?: boolean; devUrl?: string }
  /** `required: false`: migrations may go without rollback file; a version without any is irreversible. */
  rollback?: { required?: boolean }
  /** Run seed files on apply (default true); false in environments that must never receive seed data. */
  seeds?: boolean
  /** The databases `squizzle fleet` rolls versions out to, and the stages (an environment's replaces the top's). */
  fleet?: FleetSettings
  lockTimeoutMs?: number
  allowOutOfOrder?: boolean
  limits?: Partial<BundleLimits>
  signing?: SigningSettings
  trust?: TrustSettings
}

/** Where a fleet's targets come from: a list, a file, a command's output, or a control database's rows. */
export type FleetTargetSource =
  | { name: string; url: string; labels?: Record<string, string> }[]
  | { file: string }
  | { command: string[] }
  | { query: string; url: string }

/** `fleet` in the config. */
export interface FleetSettings {
  targets: FleetTargetSource
  stages?: FleetStage[]
}

/** `signing` in the config: how versions are signed. */
export interface SigningSettings {
  method?: 'key' | 'keyless'
  key?: string
  fulcioUrl?: string
  rekorUrl?: string
  tsaUrl?: string
}

/** `trust` in the config: which signatures verify and apply accept. */
export interface TrustSettings {
  signatures: 'required' | 'optional'
  publicKeys?: string[]
  identities?: { issuer: string; subject: string }[]
  trustedRoot?: string
}

/** The content of `squizzle.config.*`. */
export interface SquizzleConfig extends ConfigSettings {
  $schema?: string
  environments?: Record<string, ConfigSettings>
}

const check = schemaCheck<SquizzleConfig>(
  () => validateConfigShape,
  'CONFIG_INVALID',
  'Fix the named key; the editor schema is @squizzle/cli/config.schema.json.',
)

/**
 * Validates a parsed config object; errors name the key and the file.
 *
 * @example
 * ```ts
 * const config = validateConfig(YAML.parse(text), 'squizzle.config.yaml')
 * ```
 */
export function validateConfig(value: unknown, source: string): SquizzleConfig {
  return check(value ?? {}, source)
}

/**
 * The settings of one environment: the top level overridden by `environments[env]`.
 *
 * @example
 * ```ts
 * resolveEnvironment(config, 'production').storage
 * ```
 */
export function resolveEnvironment(config: SquizzleConfig, env: string | undefined): ConfigSettings {
  const { environments, $schema: _schema, ...base } = config
  if (env === undefined) return base
  const overrides = environments && Object.hasOwn(environments, env) ? environments[env] : undefined
  if (!overrides) {
    const known = Object.keys(environments ?? {})
    throw new SquizzleError('CONFIG_INVALID', `environment "${env}" is not defined in the config`, {
      hint: known.length
        ? `Use one of: ${known.join(', ')}.`
        : 'Add it under "environments" in the config, or select no environment.',
    })
  }
  return {
    ...base,
    ...overrides,
    database: { ...base.database, ...overrides.database },
    paths: { ...base.paths, ...overrides.paths },
    limits: { ...base.limits, ...overrides.limits },
    ...(base.lint || overrides.lint ? { lint: { ...base.lint, ...overrides.lint } } : {}),
    ...(base.snapshot || overrides.snapshot ? { snapshot: { ...base.snapshot, ...overrides.snapshot } } : {}),
    ...(base.rollback || overrides.rollback ? { rollback: { ...base.rollback, ...overrides.rollback } } : {}),
  }
}
