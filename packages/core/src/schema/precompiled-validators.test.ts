import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { validatorsSource } from '../../scripts/validators-source.mjs'
import { configSchema } from '../config/config-schema.js'
import { manifestSchema } from '../manifest/manifest-schema.js'
import { imageIndexSchema, imageManifestSchema } from '../oci/image-manifest-schema.js'
import { schemaSnapshotSchema } from '../snapshot/snapshot-schema.js'
import { compileSchema } from './compile-schema.js'
import { validateConfigShape } from './precompiled-validators.js'
import { schemaCheck } from './schema-check.js'

describe('precompiled validators', () => {
  it('are what the generator makes of the current schemas (run `pnpm --filter @squizzle/core generate`)', () => {
    const expected = validatorsSource({
      validateManifestShape: manifestSchema,
      validateConfigShape: configSchema,
      validateSnapshotShape: schemaSnapshotSchema,
      validateImageManifestShape: imageManifestSchema,
      validateImageIndexShape: imageIndexSchema,
    })
    expect(readFileSync(new URL('./precompiled-validators.ts', import.meta.url), 'utf8')).toBe(expected)
  })

  it('report the same problems as the schema compiled at run time', () => {
    const bad = {
      storage: 3,
      lockTimeoutMs: -1,
      paths: { nope: 'x' },
      environments: { ci: { limits: { maxFiles: 'many' } } },
    }
    const problemsOf = (check: (value: unknown, source: string) => unknown) => {
      try {
        check(bad, 'squizzle.config.json')
      } catch (err) {
        return (err as { details?: { problems?: string[] } }).details?.problems
      }
      return undefined
    }
    const runtime = problemsOf(compileSchema(configSchema, 'CONFIG_INVALID', 'Fix it.'))
    const precompiled = problemsOf(schemaCheck(() => validateConfigShape, 'CONFIG_INVALID', 'Fix it.'))
    expect(runtime?.length).toBeGreaterThan(2)
    expect(precompiled).toEqual(runtime)
  })
})
