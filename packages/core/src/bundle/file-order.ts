import { fileKinds, type FileKind } from '../manifest/manifest.js'

// Created on first compare: building a collator loads ICU collation data (a few MB, some
// milliseconds), which a CLI run that never sorts paths should not pay at start-up.
let collator: Intl.Collator | undefined

/**
 * Natural order of paths: `2_x.sql` before `10_x.sql`. Ties (same natural key)
 * fall back to byte order so the order is total and stable everywhere.
 *
 * @example
 * ```ts
 * ['10_b.sql', '2_a.sql'].sort(comparePaths) // ['2_a.sql', '10_b.sql']
 * ```
 */
export function comparePaths(a: string, b: string): number {
  collator ??= new Intl.Collator('en', { numeric: true, sensitivity: 'variant', caseFirst: 'upper' })
  return collator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0)
}

/**
 * Orders bundle files the way they are stored and run: by kind (drizzle,
 * migrations, seed, rollback), then by natural path order.
 *
 * @example
 * ```ts
 * files.sort(compareBundleFiles)
 * ```
 */
export function compareBundleFiles(a: { kind: FileKind; path: string }, b: { kind: FileKind; path: string }): number {
  return fileKinds.indexOf(a.kind) - fileKinds.indexOf(b.kind) || comparePaths(a.path, b.path)
}
