const settings = {
  storage: {
    type: 'string',
    description: 'Where bundles live: file:PATH (OCI image layout) or oci://HOST[:PORT]/REPO.',
    examples: ['file:.squizzle/artifacts', 'oci://ghcr.io/acme/db-migrations'],
  },
  registry: {
    type: 'string',
    pattern: '^oci://',
    description: 'The registry repository `squizzle push`, `pull` and `build --push` copy versions to and from: oci://HOST[:PORT]/REPO (add ?plain-http=true only for a registry without TLS). Credentials come from SQUIZZLE_REGISTRY_USERNAME/PASSWORD or docker login, never from this file.',
    examples: ['oci://ghcr.io/acme/db-migrations'],
  },
  database: {
    type: 'object',
    additionalProperties: false,
    properties: {
      url: { type: 'string', description: 'PostgreSQL URL. Prefer the DATABASE_URL environment variable for anything with a password.' },
      applicationName: { type: 'string', maxLength: 63 },
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
  transactionScope: { enum: ['version', 'file'], description: 'One transaction per version (default) or per file.' },
  lockTimeoutMs: { type: 'integer', minimum: 0, maximum: 86400000, description: 'How long apply waits for another migrator.' },
  allowOutOfOrder: { type: 'boolean' },
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
 * JSON Schema of `squizzle.config.*`, published for editors as
 * `@squizzle/cli/config.schema.json`.
 */
export const configSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://squizzle.dev/schemas/config.v1.json',
  title: 'Squizzle configuration',
  type: 'object',
  additionalProperties: false,
  properties: {
    $schema: { type: 'string' },
    ...settings,
    environments: {
      type: 'object',
      description: 'Named environments (selected with --env) whose settings override the top level.',
      additionalProperties: { type: 'object', additionalProperties: false, properties: settings },
    },
  },
} as const
