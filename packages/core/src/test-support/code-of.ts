/**
 * The `code` of what `fn` throws, or 'no error' — tests assert on codes, never on messages.
 *
 * @example
 * ```ts
 * expect(codeOf(() => parseVersion('v1'))).toBe('VERSION_INVALID')
 * ```
 */
export function codeOf(fn: () => unknown): unknown {
  try {
    fn()
  } catch (err) {
    return (err as { code?: unknown }).code
  }
  return 'no error'
}
