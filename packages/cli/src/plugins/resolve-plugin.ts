import { existsSync, readFileSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { basename, dirname, isAbsolute, join, resolve } from 'node:path'
import { SquizzleError } from '@squizzle/core'
import { exportTarget } from './package-exports.js'

/**
 * The file a plugin `use` names, resolved as the project itself would import it: a path
 * (`./plugins/x.mjs`, relative to the config file's folder `root`), or a package looked up
 * in `root`'s node_modules and upward (never in the CLI's own), through its `exports` with
 * the `import` conditions, else its `main`. `PLUGIN_NOT_FOUND` names what was looked for.
 *
 * @example
 * ```ts
 * resolvePluginFile('@acme/squizzle-storage-s3', '/srv/app')
 * // '/srv/app/node_modules/@acme/squizzle-storage-s3/dist/index.js'
 * ```
 */
export function resolvePluginFile(use: string, root: string): string {
  if (isPath(use)) {
    const file = resolve(root, use)
    if (isFile(file)) return file
    throw notFound(
      `plugin ${use} does not exist: no file ${file}`,
      use,
      root,
      'Fix the path: it is relative to the config file.',
    )
  }
  const { name, subpath } = splitSpecifier(use)
  const require = createRequire(join(root, 'package.json'))
  const dir = nodeModulesFolders(root)
    .map((d) => join(d, name))
    .find((d) => isFile(join(d, 'package.json')))
  if (!dir) {
    const hint = `Install it in the project (npm install --save-dev ${name}), in ${root} or a folder above it.`
    throw notFound(`plugin package ${name} is not installed where ${root} can import it`, use, root, hint)
  }
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { exports?: unknown }
  const target = manifest.exports === undefined ? mainOf(require, dir) : exportTarget(manifest.exports, subpath)
  const file = target === null ? null : resolve(dir, target)
  if (file && isFile(file)) return file
  const hint = `Check the name: ${name} exports no "${subpath}" entry point that import can load.`
  throw notFound(`plugin ${use} cannot be imported: the package has no such entry point`, use, root, hint)
}

/**
 * `root/node_modules`, then each parent's: where an `import` in the project looks. Not
 * NODE_PATH nor the global folders `require.resolve.paths` adds (ESM ignores them, and a
 * pnpm script sets NODE_PATH to packages the project never installed).
 */
function nodeModulesFolders(root: string): string[] {
  const folders: string[] = []
  for (let dir = resolve(root); ; dir = dirname(dir)) {
    if (basename(dir) !== 'node_modules') folders.push(join(dir, 'node_modules'))
    if (dirname(dir) === dir) return folders
  }
}

function isPath(use: string): boolean {
  return use.startsWith('./') || use.startsWith('../') || isAbsolute(use)
}

/** `@scope/name/sub` → name `@scope/name`, subpath `./sub`. */
function splitSpecifier(use: string): { name: string; subpath: string } {
  const parts = use.split('/')
  const length = use.startsWith('@') ? 2 : 1
  const rest = parts.slice(length).join('/')
  return { name: parts.slice(0, length).join('/'), subpath: rest === '' ? '.' : `./${rest}` }
}

/** A package without `exports` loads as Node loads it: `main`, else index.js (of the folder found). */
function mainOf(require: NodeJS.Require, dir: string): string | null {
  try {
    return require.resolve(dir)
  } catch {
    return null
  }
}

function isFile(path: string): boolean {
  return existsSync(path) && statSync(path).isFile()
}

function notFound(message: string, use: string, root: string, hint: string): SquizzleError {
  return new SquizzleError('PLUGIN_NOT_FOUND', message, { hint, details: { use, root } })
}
