// An esbuild plugin: `import { a, b } from '@squizzle/core'` becomes imports of the modules
// that define `a` and `b`, read from the package's barrel (dist/index.js). WHY: a barrel
// import reaches every module of the package, so esbuild puts the whole package in one chunk
// that every command loads; imported directly, each module lands in the chunk of the
// commands that use it (a no-op `apply` then never loads the bundle writer or the replay).
import { readFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const reExport = /export\s*\{([^}]*)\}\s*from\s*'(\.[^']+)'/g
const importFromBarrel = /^(import|export)\s+\{([^}]*)\}\s*from\s*'(@squizzle\/[a-z-]+)';?/gm

/**
 * Where each name of the barrel `specifier` is defined: name → { file, name there }.
 *
 * @param {string} specifier e.g. '@squizzle/core'
 */
async function barrelMap(specifier) {
  const entry = fileURLToPath(import.meta.resolve(specifier))
  const names = new Map()
  for (const [, list, from] of (await readFile(entry, 'utf8')).matchAll(reExport)) {
    for (const spec of list
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)) {
      const [original, alias = original] = spec.split(/\s+as\s+/)
      names.set(alias, { file: join(dirname(entry), from), name: original })
    }
  }
  return names
}

/** Rewrites one statement's specifiers into direct imports (or re-exports); type-only ones stay. */
function rewrite(keyword, list, specifier, names) {
  const types = []
  const byFile = new Map()
  for (const spec of list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    if (spec.startsWith('type ')) {
      types.push(spec)
      continue
    }
    const [name, local = name] = spec.split(/\s+as\s+/)
    const found = names.get(name)
    if (!found) throw new Error(`${specifier} does not export ${name} from a module of its own (see its dist/index.js)`)
    const specs = byFile.get(found.file) ?? []
    specs.push(found.name === local ? local : `${found.name} as ${local}`)
    byFile.set(found.file, specs)
  }
  const lines = [...byFile].map(([file, specs]) => `${keyword} { ${specs.join(', ')} } from ${JSON.stringify(file)};`)
  if (types.length > 0) lines.push(`${keyword} { ${types.join(', ')} } from '${specifier}';`)
  return lines.join('\n')
}

/**
 * The plugin, for the workspace packages named in `barrels` (their `.` entry must be a barrel
 * of named re-exports).
 *
 * @param {string[]} barrels
 */
export function directImports(barrels) {
  return {
    name: 'squizzle-direct-imports',
    async setup(build) {
      const maps = new Map(await Promise.all(barrels.map(async (b) => [b, await barrelMap(b)])))
      build.onLoad({ filter: /[\\/]packages[\\/][a-z-]+[\\/](src|dist)[\\/].*\.(ts|js)$/ }, async (args) => {
        const text = await readFile(args.path, 'utf8')
        const contents = text.replace(importFromBarrel, (statement, keyword, list, specifier) =>
          maps.has(specifier) ? rewrite(keyword, list, specifier, maps.get(specifier)) : statement,
        )
        return { contents, loader: args.path.endsWith('.ts') ? 'ts' : 'js', resolveDir: dirname(args.path) }
      })
    },
  }
}
