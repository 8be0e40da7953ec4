import { SquizzleError } from '../errors/squizzle-error.js'

/**
 * Throws `CANCELLED` when `signal` was aborted: called at the points where a run can
 * stop without leaving anything half-done (before a version, a transaction, a file,
 * a statement outside a transaction). `before` says what did not start.
 *
 * @example
 * ```ts
 * throwIfCancelled(ctx.signal, `version ${version}`)
 * ```
 */
export function throwIfCancelled(signal: AbortSignal | undefined, before: string): void {
  if (signal?.aborted) throw cancelled(`before ${before}`)
}

/**
 * The error of a run stopped by `signal` (a statement cancelled on the server
 * comes back as a database error: this replaces it, keeping it as the cause).
 *
 * @example
 * ```ts
 * throw cancelled('while running migrations/004_backfill.sql', err)
 * ```
 */
export function cancelled(where: string, cause?: unknown): SquizzleError {
  return new SquizzleError('CANCELLED', `apply was cancelled ${where}`, {
    hint: 'Run apply again when ready: it starts where this run stopped (status shows where that is).',
    remedies: [{ operation: 'status' }, { operation: 'apply' }],
    ...(cause === undefined ? {} : { cause }),
  })
}
