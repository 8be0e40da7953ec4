/**
 * JSON Schema (draft-07) of the Squizzle manifest, format v1.
 * Every manifest read from storage, a bundle or the database is validated against it.
 */
export const manifestSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://squizzle.dev/schemas/manifest.v1.json',
  title: 'Squizzle manifest v1',
  type: 'object',
  additionalProperties: false,
  required: [
    'formatVersion',
    'version',
    'previousVersion',
    'created',
    'tools',
    'transactionScope',
    'files',
    'checksum',
  ],
  properties: {
    formatVersion: { const: 1 },
    version: { type: 'string', minLength: 5, maxLength: 128, pattern: '^[0-9]+\\.[0-9]+\\.[0-9]+(-[0-9A-Za-z.-]+)?$' },
    previousVersion: {
      oneOf: [
        { type: 'null' },
        { type: 'string', minLength: 5, maxLength: 128, pattern: '^[0-9]+\\.[0-9]+\\.[0-9]+(-[0-9A-Za-z.-]+)?$' },
      ],
    },
    previousDigest: { oneOf: [{ type: 'null' }, { type: 'string', pattern: '^sha256:[0-9a-f]{64}$' }] },
    created: {
      type: 'string',
      maxLength: 64,
      pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$',
    },
    notes: { type: 'string', maxLength: 65536 },
    author: { type: 'string', maxLength: 1024 },
    tools: {
      type: 'object',
      additionalProperties: false,
      required: ['squizzle'],
      properties: {
        squizzle: { type: 'string', maxLength: 64 },
        'drizzle-kit': { type: 'string', maxLength: 64 },
      },
    },
    transactionScope: { enum: ['version', 'file'] },
    irreversible: { type: 'boolean' },
    files: {
      type: 'array',
      maxItems: 100000,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['path', 'kind', 'size', 'sha256', 'transaction'],
        properties: {
          path: {
            type: 'string',
            maxLength: 512,
            // SQL under its kind's folder, or the one schema snapshot file.
            pattern:
              '^((drizzle|migrations|seed|rollback)/([A-Za-z0-9_@+=,-]([A-Za-z0-9_@+=,. -]*[A-Za-z0-9_@+=,.-])?/)*[A-Za-z0-9_@+=,-]([A-Za-z0-9_@+=,. -]*[A-Za-z0-9_@+=,.-])?\\.sql|schema/snapshot\\.json)$',
          },
          kind: { enum: ['drizzle', 'migrations', 'seed', 'rollback', 'schema'] },
          size: { type: 'integer', minimum: 0, maximum: 1099511627776 },
          sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' },
          transaction: { type: 'boolean' },
          commitAfter: { type: 'boolean' },
          ownTransactionControl: { type: 'boolean' },
        },
      },
    },
    checksum: {
      type: 'object',
      additionalProperties: false,
      required: ['algorithm', 'value'],
      properties: {
        algorithm: { type: 'string', maxLength: 64 },
        value: { type: 'string', pattern: '^[0-9a-f]{64}$' },
      },
    },
  },
} as const
