import { errorCategory, type ErrorCategory, type SquizzleErrorCode } from './error-codes.js'
import type { Remedy } from './remedy.js'

const brand = Symbol.for('squizzle.error')

/** A code a plugin declares with `definePluginErrors`: `<namespace>:<NAME>` (`@acme/squizzle-s3:BUCKET_MISSING`). */
export type PluginErrorCode = `${string}:${string}`

export interface SquizzleErrorOptions {
  /** What the user should do next, in one or two sentences, naming no front end's flags (see `remedies`). */
  hint?: string
  /** The next steps the hint describes, as data a front end renders (the CLI: as command lines). */
  remedies?: readonly Remedy[]
  cause?: unknown
  /** Structured facts about the failure (never secrets). */
  details?: Record<string, unknown>
}

/**
 * The one error type Squizzle throws, and plugins too (see `definePluginErrors`).
 * Recognise it with {@link isSquizzleError} (not `instanceof`: a plugin may bring its
 * own copy of core); `code` and `category` are plain properties of the error itself.
 *
 * @example
 * ```ts
 * throw new SquizzleError('VERSION_NOT_FOUND', 'version 1.2.0 is not in storage', {
 *   hint: 'List the stored versions.',
 *   remedies: [{ operation: 'list' }],
 * })
 * ```
 */
export class SquizzleError extends Error {
  readonly [brand] = true
  readonly code: SquizzleErrorCode | PluginErrorCode
  /** How a front end treats the failure (the CLI's exit code); for core codes, fixed by the code. */
  readonly category: ErrorCategory
  readonly hint: string | undefined
  readonly remedies: readonly Remedy[]
  readonly details: Record<string, unknown> | undefined

  constructor(code: SquizzleErrorCode, message: string, options?: SquizzleErrorOptions)
  /** A plugin's own code, with its category (prefer `definePluginErrors`, which checks both). */
  constructor(code: PluginErrorCode, message: string, options: SquizzleErrorOptions & { category: ErrorCategory })
  constructor(
    code: SquizzleErrorCode | PluginErrorCode,
    message: string,
    options: SquizzleErrorOptions & { category?: ErrorCategory } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'SquizzleError'
    this.code = code
    this.category = errorCategory(code as SquizzleErrorCode) ?? options.category ?? 'failure'
    this.hint = options.hint
    this.remedies = options.remedies ?? []
    this.details = options.details
  }

  toJSON(): Record<string, unknown> {
    const remedies = this.remedies.length > 0 ? { remedies: this.remedies } : {}
    const { code, category, message, hint, details } = this
    return { code, category, message, hint, ...remedies, details }
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
export function hasErrorCode(value: unknown, code: SquizzleErrorCode | PluginErrorCode): value is SquizzleError {
  return isSquizzleError(value) && value.code === code
}
