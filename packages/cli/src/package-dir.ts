import { access } from 'node:fs/promises'
import { dirname, join } from 'node:path'

/**
 * The folder of package `name` as Node would find it from `root`: the nearest
 * `node_modules/<name>` walking up. Reads no `exports` map, so packages that do
 * not export their package.json (drizzle-kit) are found too. Null when absent.
 *
 * @example
 * ```ts
 * await findPackageDir('/srv/app', 'drizzle-kit') // '/srv/app/node_modules/drizzle-kit'
 * ```
 */
export async function findPackageDir(root: string, name: string): Promise<string | null> {
  for (let dir = root; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name)
    if (
      await access(join(candidate, 'package.json')).then(
        () => true,
        () => false,
      )
    )
      return candidate
    if (dirname(dir) === dir) return null
  }
}
