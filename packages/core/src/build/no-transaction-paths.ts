import { SquizzleError } from '../errors/squizzle-error.js'
import type { SourceFile } from './source-files.js'

/**
 * Checks the declared no-transaction paths against the project's source files and
 * returns them as a set. A path that names no source file is refused: a typo there
 * would otherwise surface only as a failed deploy.
 *
 * @example
 * ```ts
 * const declared = checkNoTransactionPaths(['migrations/0219_drop_index.sql'], sources)
 * declared.has('migrations/0219_drop_index.sql') // true
 * ```
 */
export function checkNoTransactionPaths(paths: readonly string[], sources: readonly SourceFile[]): Set<string> {
  const known = new Set(sources.map((s) => s.path))
  const unknown = paths.filter((p) => !known.has(p))
  if (unknown.length > 0) {
    throw new SquizzleError(
      'CONFIG_INVALID',
      `noTransaction names ${unknown.length === 1 ? 'a file' : 'files'} not found among the source SQL: ` +
        unknown.slice(0, 5).join(', '),
      {
        hint:
          'List bundle paths, i.e. the kind folder then the path inside it (migrations/0219_drop_index.sql), ' +
          'of files that exist.',
        details: { unknown },
      },
    )
  }
  return new Set(paths)
}
