// The public names of a package: every name (values and types) each entry point of its
// package.json "exports" makes importable, read with the TypeScript compiler. The list is
// kept in the package as public-api.txt, so a change of the surface shows up in review and
// fails the lint until the list is updated on purpose (`node scripts/public-names.mjs --write`
// from the package folder).
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import ts from 'typescript'

/** The file kept in each package that lists its public names. */
export const listFile = 'public-api.txt'

/**
 * Names exported by each entry point of the package in `dir`, as `entry name` lines, sorted.
 * `fromSource` reads src/…ts instead of dist/…d.ts (for tests, which run without a build).
 *
 * @example
 * ```js
 * publicNames('packages/core') // ['. Migrator', '. SquizzleError', …, './testing describeDriver', …]
 * ```
 */
export function publicNames(dir, { fromSource = false } = {}) {
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
  const entries = Object.entries(pkg.exports ?? {}).filter(([, target]) => typeof target === 'object')
  const files = entries.map(([entry, target]) => [entry, join(dir, entryFile(target.types, fromSource))])
  const program = ts.createProgram(
    files.map(([, file]) => file),
    { noEmit: true, skipLibCheck: true, allowJs: false },
  )
  const checker = program.getTypeChecker()
  const lines = []
  for (const [entry, file] of files) {
    const source = program.getSourceFile(file)
    const symbol = source && checker.getSymbolAtLocation(source)
    if (!symbol) throw new Error(`${file} is not a module`)
    for (const name of checker.getExportsOfModule(symbol).map((s) => s.getName())) lines.push(`${entry} ${name}`)
  }
  return lines.sort()
}

function entryFile(types, fromSource) {
  return fromSource ? types.replace(/^\.\/dist\//, './src/').replace(/\.d\.ts$/, '.ts') : types
}

/**
 * Compares the package's public names with its kept list: what was added and what removed.
 *
 * @example
 * ```js
 * const { added, removed } = comparePublicNames('packages/core')
 * ```
 */
export function comparePublicNames(dir, options = {}) {
  const actual = publicNames(dir, options)
  const path = join(dir, listFile)
  const kept = existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter(Boolean) : []
  return {
    added: actual.filter((line) => !kept.includes(line)),
    removed: kept.filter((line) => !actual.includes(line)),
  }
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  const dir = process.cwd()
  if (process.argv.includes('--write')) {
    writeFileSync(join(dir, listFile), `${publicNames(dir).join('\n')}\n`)
  } else {
    const { added, removed } = comparePublicNames(dir)
    for (const line of added) console.log(`+ ${line}`)
    for (const line of removed) console.log(`- ${line}`)
    process.exitCode = added.length + removed.length > 0 ? 1 : 0
  }
}
