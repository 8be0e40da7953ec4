import { access } from 'node:fs/promises'
import { join } from 'node:path'

const names = [
  'drizzle.config.ts',
  'drizzle.config.mts',
  'drizzle.config.js',
  'drizzle.config.mjs',
  'drizzle.config.cjs',
  'drizzle.config.json',
]

/**
 * The project's drizzle-kit config file in `root`, or null when it has none.
 *
 * @example
 * ```ts
 * await findDrizzleConfig('/srv/app') // '/srv/app/drizzle.config.ts'
 * ```
 */
export async function findDrizzleConfig(root: string): Promise<string | null> {
  for (const name of names) {
    const file = join(root, name)
    if (
      await access(file).then(
        () => true,
        () => false,
      )
    )
      return file
  }
  return null
}
