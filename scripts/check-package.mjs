// Lint for a package's published surface (run from the package folder):
// - package.json is ESM, exports only declared entry points, ships only dist (and declared extras);
// - every exported entry point exists after build and has types next to it;
// - src/ never deep-imports another package (`@squizzle/x/src/...`, `../../x/`);
// - no console.* in library code (core and plugins never print; the CLI prints through its Reporter).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { comparePublicNames, listFile } from './public-names.mjs'

const dir = process.cwd()
const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
const problems = []
const problem = (text) => problems.push(`${pkg.name}: ${text}`)

if (pkg.type !== 'module') problem('"type" must be "module"')
if (!pkg.exports || typeof pkg.exports !== 'object') problem('"exports" is missing')
if (!pkg.private) {
  if (!Array.isArray(pkg.files) || !pkg.files.includes('dist')) problem('"files" must include "dist"')
  if (!pkg.license) problem('"license" is missing')
  if (!existsSync(join(dir, 'README.md'))) problem('README.md is missing')
}
for (const [entry, target] of Object.entries(pkg.exports ?? {})) {
  const targets = typeof target === 'string' ? [target] : Object.values(target)
  for (const file of targets) {
    if (!existsSync(join(dir, file))) problem(`export "${entry}" points at missing ${file} (run the build first)`)
  }
  if (typeof target === 'object' && !('types' in target)) problem(`export "${entry}" has no "types"`)
}

function* walk(folder) {
  for (const name of readdirSync(folder)) {
    const path = join(folder, name)
    if (statSync(path).isDirectory()) yield* walk(path)
    else if (/\.ts$/.test(name) && !/\.test\.ts$/.test(name)) yield path
  }
}
const printsAllowed = pkg.name === '@squizzle/cli'
for (const file of existsSync(join(dir, 'src')) ? walk(join(dir, 'src')) : []) {
  const text = readFileSync(file, 'utf8')
  const rel = relative(dir, file)
  // Doc comments may show console.log in examples; only code counts.
  const code = text
    .split('\n')
    .filter((line) => !/^\s*(\*|\/\/|\/\*)/.test(line))
    .join('\n')
  if (/from '@squizzle\/[^']+\/src\//.test(text) || /from '\.\.\/\.\.\/\.\.\/[a-z-]+\/src/.test(text))
    problem(`${rel} deep-imports another package`)
  if (!printsAllowed && !rel.startsWith('src/testing/') && /\bconsole\.(log|error|warn|info|debug)\(/.test(code))
    problem(`${rel} prints; report through events or errors instead`)
}

// The public names are kept in the repository: a change of the surface must be made on purpose.
if (!pkg.private && problems.length === 0) {
  const { added, removed } = comparePublicNames(dir)
  const update = 'node ../../scripts/public-names.mjs --write'
  for (const line of added) problem(`exports ${line}, which ${listFile} does not list (if intended: ${update})`)
  for (const line of removed) problem(`no longer exports ${line}, which ${listFile} lists`)
}

if (problems.length) {
  console.error(problems.join('\n'))
  process.exit(1)
}
console.log(`${pkg.name}: package surface ok`)
