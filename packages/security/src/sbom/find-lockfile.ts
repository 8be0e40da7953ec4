import { access } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'

const lockfileNames = ['pnpm-lock.yaml', 'package-lock.json']

/**
 * The nearest lockfile from `dir` upward (a workspace's lockfile sits at its root), or null.
 *
 * @example
 * ```ts
 * const lockfile = await findLockfile(process.cwd())
 * ```
 */
export async function findLockfile(dir: string): Promise<string | null> {
  let at = resolve(dir)
  for (;;) {
    for (const name of lockfileNames) {
      const path = join(at, name)
      if (
        await access(path).then(
          () => true,
          () => false,
        )
      )
        return path
    }
    const parent = dirname(at)
    if (parent === at) return null
    at = parent
  }
}
