// Writes src/schema/validators/*.ts from the built schemas (run after `tsc`):
// `pnpm --filter @squizzle/core generate`. Files of validators no longer generated are removed.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { squizzleSchemas, validatorsSources } from './validators-source.mjs'

const dist = new URL('../dist/', import.meta.url)
const sources = validatorsSources(await squizzleSchemas((path) => import(new URL(path, dist).href)))
const folder = new URL('../src/schema/validators/', import.meta.url)
mkdirSync(folder, { recursive: true })
for (const name of readdirSync(folder)) if (!sources.has(name)) rmSync(new URL(name, folder))
for (const [name, source] of sources) {
  writeFileSync(new URL(name, folder), source)
  console.log(`wrote src/schema/validators/${name} (${source.length} bytes)`)
}
