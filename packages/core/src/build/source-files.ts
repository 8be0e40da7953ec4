import { readdir } from 'node:fs/promises'
import { join, relative, sep } from 'node:path'
import { SquizzleError } from '../errors/squizzle-error.js'
import type { SqlKind } from '../manifest/manifest.js'
import { compareBundleFiles } from '../bundle/file-order.js'

/** Source folders by kind; a missing folder simply contributes nothing. */
export type SourceFolders = Partial<Record<SqlKind, string>>

/** A SQL file found in the project. */
export interface SourceFile {
  kind: SqlKind
  /** Bundle path: `<kind>/<path relative to its folder>`. */
  path: string
  /** Absolute or cwd-relative path on disk. */
  file: string
}

// Spaces are fine inside a name (Diesel and Prisma projects have them), not at either end.
const validSegment = /^[A-Za-z0-9_@+=,-]([A-Za-z0-9_@+=,. -]*[A-Za-z0-9_@+=,.-])?$/

/**
 * Lists every `.sql` file under the source folders, in run order.
 *
 * @example
 * ```ts
 * const files = await findSourceFiles({ migrations: 'db/migrations', seed: 'db/seed' })
 * ```
 */
export async function findSourceFiles(folders: SourceFolders): Promise<SourceFile[]> {
  const out: SourceFile[] = []
  for (const [kind, folder] of Object.entries(folders) as [SqlKind, string | undefined][]) {
    if (!folder) continue
    for (const file of await listSql(folder)) {
      const rel = relative(folder, file).split(sep).join('/')
      const bad = rel.split('/').find((part) => !validSegment.test(part))
      if (bad !== undefined) {
        throw new SquizzleError('USAGE', `${file}: "${bad}" is not allowed in a migration path`, {
          hint:
            'Use letters, digits, spaces and _ - . @ + = , in file and folder names ' +
            '(no leading or trailing space), e.g. 003_add_orders.sql.',
        })
      }
      out.push({ kind, path: `${kind}/${rel}`, file })
    }
  }
  return out.sort(compareBundleFiles)
}

async function listSql(folder: string): Promise<string[]> {
  let entries
  try {
    entries = await readdir(folder, { withFileTypes: true, recursive: true })
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw err
  }
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.sql'))
    .map((e) => join(e.parentPath ?? (e as unknown as { path: string }).path, e.name))
}
