import { readFile } from 'node:fs/promises'
import { basename } from 'node:path'
import { SquizzleError } from '@squizzle/core'
import YAML from 'yaml'

/** One npm package resolved by a lockfile. */
export interface LockfilePackage {
  name: string
  version: string
  /** Subresource-integrity strings, e.g. `sha512-…`; empty for packages resolved without one. */
  integrity: string[]
  /** Only needed for development (package-lock's `dev` flag). */
  dev: boolean
}

/**
 * The packages a lockfile resolves, from `pnpm-lock.yaml` (v6 to v9) or
 * `package-lock.json` (v1 to v3), sorted by name and version.
 *
 * @example
 * ```ts
 * const packages = await readLockfilePackages('/srv/app/pnpm-lock.yaml')
 * ```
 */
export async function readLockfilePackages(path: string): Promise<LockfilePackage[]> {
  const text = await readFile(path, 'utf8')
  let packages: LockfilePackage[]
  try {
    packages = /\.ya?ml$/.test(basename(path))
      ? fromPnpmLock(YAML.parse(text) as unknown)
      : fromPackageLock(JSON.parse(text) as unknown)
  } catch (cause) {
    throw new SquizzleError('USAGE', `${path} is not a lockfile Squizzle can read: ${(cause as Error).message}`, {
      hint: 'Regenerate it with your package manager (pnpm install / npm install), or build outside the project to skip dependencies in the SBOM.',
      cause,
    })
  }
  return packages.sort((a, b) => (a.name === b.name ? a.version.localeCompare(b.version) : a.name < b.name ? -1 : 1))
}

/** pnpm keys packages `name@version` (v9) or `/name@version(peer@x)` (v6–v8). */
function fromPnpmLock(lock: unknown): LockfilePackage[] {
  const packages = (
    lock as { packages?: Record<string, { resolution?: { integrity?: unknown }; dev?: unknown }> } | null
  )?.packages
  if (lock === null || typeof lock !== 'object' || !('lockfileVersion' in lock)) throw new Error('no lockfileVersion')
  return Object.entries(packages ?? {}).flatMap(([key, value]) => {
    const id = key.replace(/^\//, '').replace(/\(.*$/, '')
    const at = id.lastIndexOf('@')
    if (at <= 0) return []
    const integrity = value?.resolution?.integrity
    return [
      {
        name: id.slice(0, at),
        version: id.slice(at + 1),
        integrity: typeof integrity === 'string' ? integrity.split(/\s+/) : [],
        dev: value?.dev === true,
      },
    ]
  })
}

interface NpmEntry {
  version?: unknown
  integrity?: unknown
  dev?: unknown
  link?: unknown
  name?: unknown
  dependencies?: Record<string, NpmEntry>
}

/** npm keys packages by install path (`node_modules/a/node_modules/b`, v2+) or nests them (v1). */
function fromPackageLock(lock: unknown): LockfilePackage[] {
  const l = lock as {
    lockfileVersion?: unknown
    packages?: Record<string, NpmEntry>
    dependencies?: Record<string, NpmEntry>
  } | null
  if (!l || typeof l.lockfileVersion !== 'number') throw new Error('no lockfileVersion')
  if (l.packages) {
    return Object.entries(l.packages).flatMap(([path, entry]) => {
      const at = path.lastIndexOf('node_modules/')
      if (at < 0 || entry.link === true || typeof entry.version !== 'string') return []
      const name = typeof entry.name === 'string' ? entry.name : path.slice(at + 'node_modules/'.length)
      return [npmPackage(name, entry)]
    })
  }
  const out: LockfilePackage[] = []
  const walk = (deps: Record<string, NpmEntry> | undefined) => {
    for (const [name, entry] of Object.entries(deps ?? {})) {
      if (typeof entry.version === 'string') out.push(npmPackage(name, entry))
      walk(entry.dependencies)
    }
  }
  walk(l.dependencies)
  return out
}

function npmPackage(name: string, entry: NpmEntry): LockfilePackage {
  return {
    name,
    version: String(entry.version),
    integrity: typeof entry.integrity === 'string' ? entry.integrity.split(/\s+/) : [],
    dev: entry.dev === true,
  }
}
