import { pluginSettingsSchema } from '../plugin/plugin-config-schema.js'
import { fleetConfigSchema, tenantSchema } from './fleet-config-schema.js'

const settings = {
  ...pluginSettingsSchema,
  registry: {
    type: 'string',
    pattern: '^oci://',
    description:
      'The registry repository `squizzle push`, `pull` and `build --push` copy versions to and from: oci://HOST[:PORT]/REPO (add ?plain-http=true only for a registry without TLS). Credentials come from SQUIZZLE_REGISTRY_USERNAME/PASSWORD or docker login, never from this file.',
    examples: ['oci://ghcr.io/acme/db-migrations'],
  },
  database: {
    type: 'object',
    additionalProperties: false,
    properties: {
      url: {
        type: 'string',
        description: 'PostgreSQL URL. Prefer the DATABASE_URL environment variable for anything with a password.',
      },
      applicationName: { type: 'string', maxLength: 63 },
      schema: tenantSchema,
      connectTimeout: {
        anyOf: [
          { type: 'string', pattern: '^\\d+(\\.\\d+)?(ms|s|m|h)?$' },
          { type: 'integer', minimum: 0, maximum: 86400000 },
        ],
        description:
          'How long to keep retrying while the database is not up yet (connection refused, starting up, ' +
          'host not resolvable yet), with exponential backoff: a duration (30s, 2m) or milliseconds; ' +
          '0 tries once. Default 30s. Wrong passwords and unknown databases are never retried. ' +
          '--connect-timeout and SQUIZZLE_CONNECT_TIMEOUT override it.',
        examples: ['30s', '2m'],
      },
    },
  },
  paths: {
    type: 'object',
    additionalProperties: false,
    description: 'Source folders, relative to the config file.',
    properties: {
      migrations: { type: 'string' },
      rollback: { type: 'string' },
      seed: { type: 'string' },
      drizzle: { type: 'string' },
    },
  },
  ledger: {
    type: 'string',
    minLength: 1,
    description:
      'The release ledger, relative to the config file (default db/squizzle.sum): every released version, ' +
      'its digest and the files it released. Written by build; commit it with the SQL.',
    examples: ['db/squizzle.sum'],
  },
  transactionScope: { enum: ['version', 'file'], description: 'One transaction per version (default) or per file.' },
  lint: {
    type: 'object',
    additionalProperties: false,
    description:
      'Lint new SQL with squawk on every build (squawk-cli must be installed); ' +
      '`build --lint[=warn|error]` overrides the level.',
    properties: {
      level: { enum: ['warn', 'error'], description: 'warn: report findings; error: findings fail the build.' },
      exclude: {
        type: 'array',
        items: { type: 'string', pattern: '^[a-z0-9-]+$' },
        description: 'squawk rules to skip, e.g. prefer-bigint-over-int.',
      },
      include: {
        type: 'array',
        items: { type: 'string', pattern: '^[a-z0-9-]+$' },
        description: 'opt-in squawk rules to enable, e.g. require-timeout-settings.',
      },
      pgVersion: {
        type: 'string',
        pattern: '^[0-9]+(\\.[0-9]+)?$',
        description: 'PostgreSQL version the rules assume, e.g. 15.4.',
      },
    },
  },
  noTransaction: {
    type: 'array',
    uniqueItems: true,
    items: { type: 'string', minLength: 1 },
    description:
      'Bundle paths (migrations/0219_x.sql) of files that run outside a transaction without a ' +
      "-- squizzle:no-transaction line, like Diesel's run_in_transaction = false.",
  },
  snapshot: {
    type: 'object',
    additionalProperties: false,
    description: 'The schema snapshot build records by replaying every version on an empty database.',
    properties: {
      enabled: {
        type: 'boolean',
        description: 'Record a snapshot at build (default true; --no-snapshot turns it off).',
      },
      devUrl: {
        type: 'string',
        description:
          'PostgreSQL server to replay on (a fresh database is created and dropped there) instead of an ' +
          'embedded one. Prefer SQUIZZLE_DEV_URL for anything with a password.',
      },
    },
  },
  rollback: {
    type: 'object',
    additionalProperties: false,
    description:
      'How build pairs rollback files (rollback/<name>) with migrations (migrations/<name>, drizzle/<name>).',
    properties: {
      required: {
        type: 'boolean',
        description:
          'Every migration needs its rollback file (default true; build --irreversible skips it for one ' +
          'version). false, for a team that never rolls back: migrations may go without one (build warns ' +
          'and names them), and a version without any rollback file is built irreversible.',
      },
    },
  },
  seeds: {
    type: 'boolean',
    description:
      'Run the seed/ files of each version on apply (default true). Set false for production: the seeds are still ' +
      'verified with every other byte, but not run, and status and history name them as skipped.',
  },
  fleet: fleetConfigSchema,
  lockTimeoutMs: {
    type: 'integer',
    minimum: 0,
    maximum: 86400000,
    description: 'How long apply waits for another migrator.',
  },
  allowOutOfOrder: { type: 'boolean' },
  signing: {
    type: 'object',
    additionalProperties: false,
    description: 'How `squizzle sign` and `build --sign` sign: with a local key, or keyless (Fulcio + Rekor).',
    properties: {
      method: {
        enum: ['key', 'keyless'],
        description:
          'key: an encrypted ECDSA P-256 key from `squizzle keygen`; ' +
          'keyless: a Sigstore certificate for the CI identity.',
      },
      key: {
        type: 'string',
        minLength: 1,
        description:
          'Path to the encrypted private key (PEM), relative to the config file. ' +
          'Its passphrase comes from SQUIZZLE_SIGNING_KEY_PASSPHRASE.',
      },
      fulcioUrl: {
        type: 'string',
        pattern: '^https?://[^\\s@]+$',
        description: 'Fulcio URL (default: the public-good instance).',
      },
      rekorUrl: {
        type: 'string',
        pattern: '^https?://[^\\s@]+$',
        description: 'Rekor URL (default: the public-good instance).',
      },
      tsaUrl: {
        type: 'string',
        pattern: '^https?://[^\\s@]+$',
        description: 'RFC 3161 timestamp authority URL; a timestamp is added only when set.',
      },
    },
  },
  trust: {
    type: 'object',
    additionalProperties: false,
    required: ['signatures'],
    description:
      'Which signatures verify and apply accept. Set it per environment; ' +
      "an environment's trust replaces the top level's.",
    properties: {
      signatures: {
        enum: ['required', 'optional'],
        description:
          'required: an unsigned version is refused (exit 4). ' +
          'optional: unsigned passes, a bad signature is still refused.',
      },
      publicKeys: {
        type: 'array',
        items: { type: 'string', minLength: 1 },
        description: 'Paths to trusted public keys (PEM), relative to the config file.',
      },
      identities: {
        type: 'array',
        description: 'Trusted keyless signers.',
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['issuer', 'subject'],
          properties: {
            issuer: {
              type: 'string',
              minLength: 1,
              description: 'OIDC issuer, matched exactly, e.g. https://token.actions.githubusercontent.com',
            },
            subject: {
              type: 'string',
              minLength: 1,
              description: 'Regular expression the whole certificate subject (SAN) must match.',
            },
          },
        },
      },
      trustedRoot: {
        type: 'string',
        minLength: 1,
        description:
          'Path to a Sigstore trusted_root.json (private or offline instances). Default: the public-good root via TUF.',
      },
    },
  },
  limits: {
    type: 'object',
    additionalProperties: false,
    properties: {
      maxBundleBytes: { type: 'integer', minimum: 1 },
      maxDecompressedBytes: { type: 'integer', minimum: 1 },
      maxRatio: { type: 'number', minimum: 1 },
      maxFiles: { type: 'integer', minimum: 1 },
      maxFileBytes: { type: 'integer', minimum: 1 },
    },
  },
} as const

/**
 * Each setting as a reference to its section under `definitions`. WHY: a setting may appear at
 * the top level and in every environment; by reference its validator is compiled once (see
 * scripts/validators-source.mjs), a third of the inlined size, and only the sections a config uses
 * are compiled at run time.
 */
const settingRefs = Object.fromEntries(Object.keys(settings).map((key) => [key, { $ref: `#/definitions/${key}` }]))

/**
 * JSON Schema of `squizzle.config.*`, published for editors as
 * `@squizzle/cli/config.schema.json`.
 */
export const configSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://squizzle.dev/schemas/config.v1.json',
  title: 'Squizzle configuration',
  type: 'object',
  additionalProperties: false,
  definitions: settings,
  properties: {
    $schema: { type: 'string' },
    ...settingRefs,
    environments: {
      type: 'object',
      description: 'Named environments (selected with --env) whose settings override the top level.',
      additionalProperties: { type: 'object', additionalProperties: false, properties: settingRefs },
    },
  },
} as const
