import type { DryRunVersion } from '@squizzle/core'
import type { Reporter } from '../output/reporter.js'

/**
 * Prints versions' SQL as it runs: transaction boundaries, files, statements.
 *
 * @example
 * ```ts
 * printSqlLayout(ctx.reporter, (await migrator.dryRun()).versions)
 * ```
 */
export function printSqlLayout(r: Reporter, versions: readonly DryRunVersion[]): void {
  for (const v of versions) {
    r.line(r.colors.bold(`-- version ${v.version} (${v.digest})`))
    for (const path of v.skippedFiles ?? []) {
      r.line(r.colors.dim(`-- ${path}: not run (seeds: false in this environment)`))
    }
    for (const segment of v.segments) {
      if (segment.transactional) r.line('BEGIN;')
      for (const file of segment.files) {
        r.line(
          r.colors.dim(`-- ${file.path}${segment.transactional ? '' : ' (no transaction, statement by statement)'}`),
        )
        for (const s of file.statements) r.line(`${s.text};`)
      }
      if (segment.transactional) r.line('COMMIT;')
    }
  }
}
