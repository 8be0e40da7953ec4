import { errorCategory, isSquizzleError, type ErrorCategory } from '@squizzle/core'

/** Exit codes are part of the CLI's contract; scripts branch on them. */
export const exitCodes = {
  ok: 0,
  failure: 1,
  usage: 2,
  integrity: 3,
  signature: 4,
  lockTimeout: 5,
  /** Stopped by Ctrl-C (128 + SIGINT, as shells report it). */
  interrupted: 130,
} as const

const categories: readonly string[] = ['usage', 'failure', 'integrity', 'signature', 'lock'] satisfies ErrorCategory[]

/**
 * The exit code for an error: by its category when it is a SquizzleError (a plugin's
 * too, from any copy of core: the category travels with the error), else 1.
 *
 * @example
 * ```ts
 * exitCodeFor(new SquizzleError('DIGEST_MISMATCH', '…')) // 3
 * ```
 */
export function exitCodeFor(err: unknown): number {
  if (!isSquizzleError(err)) return exitCodes.failure
  const carried = (err as { category?: unknown }).category
  const category = typeof carried === 'string' && categories.includes(carried) ? carried : errorCategory(err.code)
  return exitCodeForCategory(category)
}

/**
 * The exit code of an error category (`integrity` 3, `signature` 4, `lock` 5, …); 1 for any other.
 *
 * @example
 * ```ts
 * exitCodeForCategory('lock') // 5
 * ```
 */
export function exitCodeForCategory(category: string | undefined): number {
  switch (category) {
    case 'usage':
      return exitCodes.usage
    case 'integrity':
      return exitCodes.integrity
    case 'signature':
      return exitCodes.signature
    case 'lock':
      return exitCodes.lockTimeout
    case 'cancelled':
      return exitCodes.interrupted
    default:
      return exitCodes.failure
  }
}
