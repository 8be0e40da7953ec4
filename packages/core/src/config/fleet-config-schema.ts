// The `fleet` block of squizzle.config.*: where the targets come from, and the stages.

const labels = { type: 'object', additionalProperties: { type: 'string' } } as const

/** Schema-per-tenant: the target's schema (the built-in driver's `schema`). */
export const tenantSchema = {
  type: 'string',
  pattern: '^(?!pg_)[a-z_][a-z0-9_]{0,53}$',
  description:
    'Schema-per-tenant: the schema this target migrates (search_path), with its own system tables ' +
    '(squizzle_<schema>) and lock. A lowercase identifier of at most 54 characters, not pg_*.',
  examples: ['tenant_42'],
} as const

const target = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'url'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 200 },
    url: {
      type: 'string',
      minLength: 1,
      description:
        'env:VARIABLE (the connection URL is read from it when the target is connected), or a URL without a password.',
      examples: ['env:ACME_DATABASE_URL'],
    },
    labels: { ...labels, description: 'Labels stages select by, e.g. tier: canary.' },
    schema: tenantSchema,
  },
} as const

const targets = {
  description:
    'The databases: a list; { file } (YAML or JSON list, relative to the config); { command } (argv, no shell; ' +
    'prints a JSON array or JSON lines); or { query, url } (rows of name, url and optional labels and schema from ' +
    'a control database, run read-only).',
  anyOf: [
    { type: 'array', items: target },
    {
      type: 'object',
      additionalProperties: false,
      required: ['file'],
      properties: { file: { type: 'string', minLength: 1 } },
    },
    {
      type: 'object',
      additionalProperties: false,
      required: ['command'],
      properties: { command: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } } },
    },
    {
      type: 'object',
      additionalProperties: false,
      required: ['query', 'url'],
      properties: {
        query: { type: 'string', minLength: 1, examples: ['select tenant_id as name, url from tenants'] },
        url: { type: 'string', minLength: 1, description: 'The control database, usually env:CONTROL_DATABASE_URL.' },
      },
    },
  ],
} as const

const stage = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: {
    name: { type: 'string', minLength: 1 },
    select: {
      type: 'object',
      additionalProperties: false,
      description: 'Targets named in names, and targets carrying every label of labels. Without it: every target left.',
      properties: { names: { type: 'array', items: { type: 'string', minLength: 1 } }, labels },
    },
    parallel: { type: 'integer', minimum: 1, maximum: 1000, description: 'Targets applied at once (default 1).' },
    onError: {
      enum: ['stop', 'continue'],
      description: 'stop (default): the first failure halts; continue: go on up to maxFailures.',
    },
    maxFailures: {
      anyOf: [
        { type: 'integer', minimum: 0 },
        { type: 'string', pattern: '^(100|[0-9]{1,2}(\\.[0-9]+)?)%$' },
      ],
      description:
        'Failures the stage tolerates (a count, or a percentage of its targets); one more halts the rollout.',
      examples: [2, '5%'],
    },
  },
} as const

/** JSON Schema of the config's `fleet` block. */
export const fleetConfigSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['targets'],
  description: 'Many databases that `squizzle fleet plan|apply|status` take to one version, stage by stage.',
  properties: {
    targets,
    stages: {
      type: 'array',
      items: stage,
      description: 'In order; a stage starts only after the one before it succeeded.',
    },
  },
} as const
