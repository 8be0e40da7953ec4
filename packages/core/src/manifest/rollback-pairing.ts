import { compareBundleFiles } from '../bundle/file-order.js'
import type { FileKind, ManifestFile } from './manifest.js'

/**
 * The kinds whose files change the schema and so pair with a rollback file.
 * Seeds do not: they add data, which a rollback of the schema takes with it.
 */
export const reversibleKinds: readonly FileKind[] = ['drizzle', 'migrations']

type Pathed = Pick<ManifestFile, 'path' | 'kind'>

/**
 * The rollback file a migration pairs with: `rollback/<rel>` for `migrations/<rel>`
 * and for `drizzle/<rel>`; null for files that need none (seeds, rollback files, the snapshot).
 *
 * @example
 * ```ts
 * rollbackPathFor({ path: 'migrations/003_orders.sql', kind: 'migrations' }) // 'rollback/003_orders.sql'
 * ```
 */
export function rollbackPathFor(file: Pathed): string | null {
  if (!reversibleKinds.includes(file.kind)) return null
  return `rollback/${relativePath(file.path)}`
}

/**
 * The migration paths a rollback file can pair with, by name: `drizzle/<rel>` and
 * `migrations/<rel>` for `rollback/<rel>`. A version may hold at most one of them.
 *
 * @example
 * ```ts
 * migrationPathsFor('rollback/0001_init.sql') // ['drizzle/0001_init.sql', 'migrations/0001_init.sql']
 * ```
 */
export function migrationPathsFor(rollbackPath: string): string[] {
  const rel = relativePath(rollbackPath)
  return reversibleKinds.map((kind) => `${kind}/${rel}`)
}

/**
 * A version's rollback files in the order a rollback runs them: the reverse of the
 * order their migrations ran in (drizzle before migrations, then natural path order).
 * Rollback files that pair with no migration of `files` (versions built before
 * pairing) come last, newest path first, as such versions were always rolled back.
 *
 * @example
 * ```ts
 * rollbackRunOrder(manifest.files, rollbackFiles).map((f) => f.path) // ['rollback/004_x.sql', 'rollback/003_y.sql']
 * ```
 */
export function rollbackRunOrder<T extends Pathed>(files: readonly Pathed[], rollback: readonly T[]): T[] {
  const runOrder = files.filter((f) => reversibleKinds.includes(f.kind)).sort(compareBundleFiles)
  const position = new Map(runOrder.map((f, i) => [f.path, i]))
  const rank = (file: T): number => Math.max(-1, ...migrationPathsFor(file.path).map((p) => position.get(p) ?? -1))
  return [...rollback].sort((a, b) => rank(b) - rank(a) || compareBundleFiles(b, a))
}

function relativePath(path: string): string {
  return path.slice(path.indexOf('/') + 1)
}
