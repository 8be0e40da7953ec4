// The config keys that name plugins, as JSON Schema fragments of the config schema.

const use = {
  type: 'string',
  minLength: 1,
  description:
    "A package name, resolved from the config file's folder as the project's own imports are (install it there), " +
    'or a path to a module relative to the config file (./plugins/storage.mjs).',
}

/** `{ use, options }`: one plugin in one role. */
function pluginUse(role: string, examples: unknown[]): Record<string, unknown> {
  return {
    type: 'object',
    additionalProperties: false,
    required: ['use'],
    description: `The ${role} plugin to load, and its options (validated by the plugin's own JSON Schema).`,
    properties: {
      use,
      options: { type: 'object', description: "The plugin's options; see its documentation." },
    },
    examples,
  }
}

/** Config keys for plugins; `storage` also stays a URL string. */
export const pluginSettingsSchema = {
  storage: {
    anyOf: [
      {
        type: 'string',
        description:
          'Where bundles live: file:PATH (OCI image layout), oci://HOST[:PORT]/REPO, ' +
          'or a URL of a scheme a plugin registers.',
        examples: ['file:.squizzle/artifacts', 'oci://ghcr.io/acme/db-migrations'],
      },
      pluginUse('storage', [{ use: '@acme/squizzle-storage-s3', options: { bucket: 'releases' } }]),
    ],
  },
  driver: pluginUse('database driver (default: the built-in PostgreSQL driver)', [{ use: './plugins/driver.mjs' }]),
  signer: pluginUse('signer (replaces signing: key or keyless)', [
    { use: '@acme/squizzle-signer-kms', options: { keyId: 'alias/release' } },
  ]),
  plugins: {
    type: 'array',
    uniqueItems: true,
    items: use,
    description:
      'Storage plugins to load for the URL schemes they register (s3://…): ' +
      'in --storage, SQUIZZLE_STORAGE and storage.',
    examples: [['@acme/squizzle-storage-s3']],
  },
} as const
