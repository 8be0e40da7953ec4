import { readdirSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { squizzleSchemas, validatorsSources } from '../../scripts/validators-source.mjs'
import { configSchema } from '../config/config-schema.js'
import { manifestSchema } from '../manifest/manifest-schema.js'
import { imageIndexSchema, imageManifestSchema } from '../oci/image-manifest-schema.js'
import { schemaSnapshotSchema } from '../snapshot/snapshot-schema.js'
import { compileSchema } from './compile-schema.js'
import { schemaCheck } from './schema-check.js'
import { validateConfigShape } from './validators/validate-config-shape.js'

const folder = new URL('./validators/', import.meta.url)
const schemas: Record<string, Record<string, object>> = {
  'manifest/manifest-schema.js': { manifestSchema },
  'config/config-schema.js': { configSchema },
  'snapshot/snapshot-schema.js': { schemaSnapshotSchema },
  'oci/image-manifest-schema.js': { imageManifestSchema, imageIndexSchema },
}

describe('precompiled validators', () => {
  it('are what the generator makes of the current schemas (run `pnpm --filter @squizzle/core generate`)', async () => {
    const expected = validatorsSources(await squizzleSchemas(async (path) => schemas[path]!))
    expect(readdirSync(folder).sort()).toEqual([...expected.keys()].sort())
    for (const [name, source] of expected) expect(readFileSync(new URL(name, folder), 'utf8'), name).toBe(source)
  })

  it('are one module each, importing nothing, so a command loads only the validators it uses', () => {
    for (const name of readdirSync(folder)) {
      expect(readFileSync(new URL(name, folder), 'utf8'), name).not.toMatch(/^\s*import\s|\brequire\(/m)
    }
  })

  it('report the same problems as the schema compiled at run time', () => {
    const bad = {
      storage: 3,
      lockTimeoutMs: -1,
      paths: { nope: 'x' },
      environments: { ci: { limits: { maxFiles: 'many' }, lint: { levle: 'warn' } } },
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
    expect(runtime?.length).toBeGreaterThan(3)
    expect(precompiled).toEqual(runtime)
    expect(precompiled).toContain('/environments/ci/lint has an unknown property "levle" (did you mean "level"?)')
  })
})
