import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
// @ts-expect-error: a plain .mjs script of the repository (no types), the one the lint runs.
import { comparePublicNames, publicNames } from '../../../scripts/public-names.mjs'

const packageDir = fileURLToPath(new URL('..', import.meta.url))
const compare = comparePublicNames as (
  dir: string,
  o?: { fromSource?: boolean },
) => { added: string[]; removed: string[] }
const names = publicNames as (dir: string, o?: { fromSource?: boolean }) => string[]
/** Core's names from source: one TypeScript program for the file (a second one costs seconds of CPU). */
let coreNames: string[] | undefined
const sourceNames = () => (coreNames ??= names(packageDir, { fromSource: true }))

describe('the public surface of @squizzle/core', () => {
  it('is exactly the names public-api.txt lists, per entry point', () => {
    // As comparePublicNames compares (the last test proves it), on the names read once.
    const kept = readFileSync(join(packageDir, 'public-api.txt'), 'utf8').split('\n').filter(Boolean)
    expect(sourceNames()).toEqual(kept)
  }, 60_000)

  it('keeps engine internals and transport helpers out of the root', () => {
    const root = sourceNames()
      .filter((l) => l.startsWith('. '))
      .map((l) => l.slice(2))
    for (const internal of ['computePlan', 'planSegments', 'chunkScript', 'spool', 'storageBrand', 'mediaTypes']) {
      expect(root).not.toContain(internal)
    }
    expect(root).toEqual(
      expect.arrayContaining(['Migrator', 'buildVersion', 'verifyVersion', 'checkDrift', 'copyVersion']),
    )
  }, 60_000)

  it('fails when an entry point exports a name the list does not have', () => {
    const dir = mkdtempSync(join(tmpdir(), 'squizzle-surface-'))
    mkdirSync(join(dir, 'src'))
    const exports = { '.': { types: './dist/index.d.ts', default: './dist/index.js' } }
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'leaky', type: 'module', exports }))
    writeFileSync(join(dir, 'src', 'index.ts'), 'export const kept = 1\nexport type Kept = string\n')
    writeFileSync(join(dir, 'public-api.txt'), '. Kept\n. kept\n')
    expect(compare(dir, { fromSource: true })).toEqual({ added: [], removed: [] })
    cpSync(join(dir, 'src', 'index.ts'), join(dir, 'src', 'internal.ts'))
    writeFileSync(join(dir, 'src', 'index.ts'), "export * from './internal.js'\nexport const planInternals = 2\n")
    expect(compare(dir, { fromSource: true })).toEqual({ added: ['. planInternals'], removed: [] })
  }, 60_000)
})
