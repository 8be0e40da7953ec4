import { SquizzleError, type TransactionScope } from '@squizzle/core'

/**
 * The transaction scope a build records: the `--transaction-scope` flag, else the config's, else none (core's default).
 *
 * @example
 * ```ts
 * transactionScopeFor('file', 'version') // { transactionScope: 'file' }
 * ```
 */
export function transactionScopeFor(
  flag: unknown,
  configured: TransactionScope | undefined,
): { transactionScope?: TransactionScope } {
  if (flag === undefined) return configured ? { transactionScope: configured } : {}
  if (flag !== 'version' && flag !== 'file') {
    throw new SquizzleError('USAGE', `--transaction-scope must be "version" or "file", not "${String(flag)}"`, {
      hint: 'version: all files of the version in one transaction (default); file: one transaction per file.',
    })
  }
  return { transactionScope: flag }
}
