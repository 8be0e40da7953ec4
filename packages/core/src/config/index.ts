// The configuration file's schema and rules, for front ends that read squizzle.config.yaml
// (the CLI): `import { validateConfig } from '@squizzle/core/config'`.
export { configSchema } from './config-schema.js'
export {
  validateConfig,
  resolveEnvironment,
  type SquizzleConfig,
  type ConfigSettings,
  type LintSettings,
  type SigningSettings,
  type TrustSettings,
  type FleetSettings,
  type FleetTargetSource,
} from './config.js'
export { compileSchema, type SchemaCheck } from '../schema/compile-schema.js'
export { closestMatch } from '../text/closest-match.js'
