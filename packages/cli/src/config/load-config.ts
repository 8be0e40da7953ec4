import { createHash } from 'node:crypto'
import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { basename, dirname, join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { SquizzleError } from '@squizzle/core'
import { validateConfig, type SquizzleConfig } from '@squizzle/core/config'

/** Config file names, in the order they are looked for in each folder. */
export const configFileNames = [
  'squizzle.config.ts',
  'squizzle.config.mjs',
  'squizzle.config.js',
  'squizzle.config.json',
  'squizzle.config.yaml',
  'squizzle.config.yml',
]

export interface LoadedConfig {
  config: SquizzleConfig
  /** The file it came from, or null when none was found. */
  file: string | null
  /** The folder relative paths in the config are resolved against. */
  root: string
}

/**
 * Finds the config upward from `cwd` (or loads `explicit`), parses it by its
 * extension and validates it. No file is fine: defaults apply, root = cwd.
 * More than one config file in the folder found is `CONFIG_INVALID`.
 *
 * @example
 * ```ts
 * const { config, root } = await loadConfig(process.cwd())
 * ```
 */
export async function loadConfig(cwd: string, explicit?: string): Promise<LoadedConfig> {
  const file = explicit ? resolve(cwd, explicit) : await findUpward(cwd)
  if (file === null) return { config: {}, file: null, root: cwd }
  if (explicit && !(await exists(file))) {
    throw new SquizzleError('CONFIG_NOT_FOUND', `config file ${file} does not exist`, {
      hint: 'Check --config, or run `squizzle init` to create one.',
    })
  }
  const value = await parseConfigFile(file)
  return { config: validateConfig(value, file), file, root: dirname(file) }
}

/**
 * The config file of the nearest folder that has one. Two in one folder are refused:
 * which one is trusted (say, the one that requires signatures) must never depend on
 * the order names are tried in.
 */
async function findUpward(from: string): Promise<string | null> {
  let dir = resolve(from)
  for (;;) {
    const found: string[] = []
    for (const name of configFileNames) if (await exists(join(dir, name))) found.push(join(dir, name))
    if (found.length > 1) {
      const names = found.map((f) => basename(f)).join(', ')
      throw new SquizzleError('CONFIG_INVALID', `${dir} has more than one config file: ${names}`, {
        hint: 'Keep one and delete the others (or pick one with --config): a second file must never win silently.',
        details: { files: found },
      })
    }
    if (found[0] !== undefined) return found[0]
    const parent = dirname(dir)
    if (parent === dir) return null
    dir = parent
  }
}

async function parseConfigFile(file: string): Promise<unknown> {
  const name = basename(file)
  try {
    if (name.endsWith('.json')) return JSON.parse(await readFile(file, 'utf8'))
    if (name.endsWith('.yaml') || name.endsWith('.yml')) {
      return (await import('./yaml-text.js')).parseYaml(await readFile(file, 'utf8'))
    }
    if (name.endsWith('.ts')) return await importTypeScript(file)
    return await importFresh(file)
  } catch (cause) {
    if (cause instanceof SquizzleError) throw cause
    throw new SquizzleError(
      'CONFIG_INVALID',
      `${file} could not be read: ${cause instanceof Error ? cause.message : String(cause)}`,
      {
        hint: 'Fix the syntax error; the file must export (or contain) one configuration object.',
        cause,
      },
    )
  }
}

/** A .ts config is transpiled (not type-checked) with the project's own `typescript`. */
async function importTypeScript(file: string): Promise<unknown> {
  let ts: typeof import('typescript')
  try {
    ts = createRequire(file)('typescript') as typeof import('typescript')
  } catch {
    throw new SquizzleError(
      'CONFIG_INVALID',
      `${file} is TypeScript, but the project has no "typescript" package to read it`,
      {
        hint: 'Install typescript in the project, or use squizzle.config.mjs / .json / .yaml.',
      },
    )
  }
  const output = ts.transpileModule(await readFile(file, 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    fileName: file,
  }).outputText
  const dir = await mkdtemp(join(tmpdir(), 'squizzle-config-'))
  try {
    const out = join(dir, 'squizzle.config.mjs')
    await writeFile(out, output)
    return await importFresh(out)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/**
 * Imports a JavaScript config as it is now. Node caches a module by URL for the life of the
 * process, so a program that runs the CLI more than once (`main()` embedded) would get the
 * first version of an edited file forever; the content's hash in the URL makes each edit a
 * new module, while an unchanged file still comes from the cache.
 */
async function importFresh(file: string): Promise<unknown> {
  const hash = createHash('sha256')
    .update(await readFile(file))
    .digest('hex')
    .slice(0, 16)
  return ((await import(`${pathToFileURL(file).href}?content=${hash}`)) as { default?: unknown }).default
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  )
}
