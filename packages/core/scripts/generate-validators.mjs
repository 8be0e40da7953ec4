// Writes src/schema/precompiled-validators.ts from the built schemas (run after `tsc`):
// `pnpm --filter @squizzle/core generate`.
import { writeFileSync } from 'node:fs'
import { validatorsSource } from './validators-source.mjs'

const dist = new URL('../dist/', import.meta.url)
const { manifestSchema } = await import(new URL('manifest/manifest-schema.js', dist).href)
const { configSchema } = await import(new URL('config/config-schema.js', dist).href)
const { schemaSnapshotSchema } = await import(new URL('snapshot/snapshot-schema.js', dist).href)
const { imageManifestSchema, imageIndexSchema } = await import(new URL('oci/image-manifest-schema.js', dist).href)

const source = validatorsSource({
  validateManifestShape: manifestSchema,
  validateConfigShape: configSchema,
  validateSnapshotShape: schemaSnapshotSchema,
  validateImageManifestShape: imageManifestSchema,
  validateImageIndexShape: imageIndexSchema,
})
const target = new URL('../src/schema/precompiled-validators.ts', import.meta.url)
writeFileSync(target, source)
console.log(`wrote ${target.pathname} (${source.length} bytes)`)
