import { isAbsolute, relative } from 'node:path'

/**
 * A file path as the user sees it: relative to `cwd` when it is inside it, else as given.
 *
 * @example
 * ```ts
 * shownPath('/srv/app', '/srv/app/db/squizzle.sum') // 'db/squizzle.sum'
 * ```
 */
export function shownPath(cwd: string, path: string): string {
  const rel = relative(cwd, path)
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? path : rel
}
