import { isSquizzleError, SquizzleError } from '@squizzle/core'

/**
 * True for the errno codes that mean "there is nothing at this path".
 *
 * @example
 * ```ts
 * try { await stat(file) } catch (err) { if (isMissing(err)) return false; throw err }
 * ```
 */
export function isMissing(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code
  return code === 'ENOENT' || code === 'ENOTDIR'
}

/**
 * Wraps a file-system (or source stream) failure in `STORAGE_ERROR`; typed
 * Squizzle errors (a digest mismatch while streaming) pass through unchanged.
 *
 * @example
 * ```ts
 * catch (err) { throw storageError(`write ${file}`, err) }
 * ```
 */
export function storageError(action: string, err: unknown): SquizzleError {
  if (isSquizzleError(err)) return err
  const reason = err instanceof Error ? err.message : String(err)
  return new SquizzleError('STORAGE_ERROR', `could not ${action}: ${reason}`, {
    hint: 'Check that the layout directory exists and is writable, and that the disk is not full.',
    cause: err,
  })
}

/**
 * `VERSION_NOT_FOUND` for a tag, digest or blob the layout does not hold.
 *
 * @example
 * ```ts
 * throw notFound(`1.4.0 is not in ${target.name}`)
 * ```
 */
export function notFound(
  message: string,
  hint = 'List the stored versions, or check the storage directory.',
): SquizzleError {
  return new SquizzleError('VERSION_NOT_FOUND', message, { hint, remedies: [{ operation: 'list' }] })
}
