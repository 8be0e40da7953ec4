import { errorCategory, type ErrorCategory, type SquizzleErrorCode } from './error-codes.js'

const brand = Symbol.for('squizzle.error')

export interface SquizzleErrorOptions {
  /** What the user should do next, in one or two sentences. */
  hint?: string
  cause?: unknown
  /** Structured facts about the failure (never secrets). */
  details?: Record<string, unknown>
}

/**
 * The one error type Squizzle throws. Recognise it with {@link isSquizzleError}
 * (not `instanceof`: a plugin may bring its own copy of core).
 *
 * @example
 * ```ts
 * throw new SquizzleError('VERSION_NOT_FOUND', 'version 1.2.0 is not in storage', {
 *   hint: 'Run `squizzle list` to see stored versions.',
 * })
 * ```
 */
export class SquizzleError extends Error {
  readonly [brand] = true
  readonly code: SquizzleErrorCode
  readonly hint: string | undefined
  readonly details: Record<string, unknown> | undefined

  constructor(code: SquizzleErrorCode, message: string, options: SquizzleErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'SquizzleError'
    this.code = code
    this.hint = options.hint
    this.details = options.details
  }

  get category(): ErrorCategory {
    return errorCategory(this.code)
  }

  toJSON(): Record<string, unknown> {
    return { code: this.code, message: this.message, hint: this.hint, details: this.details }
  }
}

/**
 * True when `value` is a SquizzleError from any copy of core.
 *
 * @example
 * ```ts
 * try { await migrator.apply() } catch (e) { if (isSquizzleError(e) && e.code === 'LOCK_TIMEOUT') retryLater() }
 * ```
 */
export function isSquizzleError(value: unknown): value is SquizzleError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[brand] === true
}

/**
 * True when `value` is a SquizzleError with the given code.
 *
 * @example
 * ```ts
 * if (hasErrorCode(e, 'OUT_OF_ORDER')) console.log(e.hint)
 * ```
 */
export function hasErrorCode(value: unknown, code: SquizzleErrorCode): value is SquizzleError {
  return isSquizzleError(value) && value.code === code
}
