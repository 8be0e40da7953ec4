const descriptor = {
  type: 'object',
  required: ['mediaType', 'digest', 'size'],
  properties: {
    mediaType: { type: 'string', maxLength: 255 },
    digest: { type: 'string', pattern: '^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$' },
    size: { type: 'integer', minimum: 0 },
    artifactType: { type: 'string', maxLength: 255 },
    annotations: { type: 'object', additionalProperties: { type: 'string' } },
    data: { type: 'string' },
  },
} as const

/** JSON Schema of the OCI image manifests and indexes Squizzle reads (registry and layout input). */
export const imageManifestSchema = {
  type: 'object',
  required: ['schemaVersion', 'config', 'layers'],
  properties: {
    schemaVersion: { const: 2 },
    mediaType: { type: 'string' },
    artifactType: { type: 'string' },
    config: descriptor,
    layers: { type: 'array', maxItems: 1000, items: descriptor },
    subject: descriptor,
    annotations: { type: 'object', additionalProperties: { type: 'string' } },
  },
} as const

export const imageIndexSchema = {
  type: 'object',
  required: ['schemaVersion', 'manifests'],
  properties: {
    schemaVersion: { const: 2 },
    mediaType: { type: 'string' },
    manifests: { type: 'array', maxItems: 100000, items: descriptor },
    annotations: { type: 'object', additionalProperties: { type: 'string' } },
  },
} as const
