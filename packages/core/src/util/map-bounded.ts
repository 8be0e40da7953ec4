/**
 * `fn` over every item, at most `limit` calls at once, results in item order. Waits for
 * every started call, then throws the failure of the earliest item: nothing is left
 * running behind a thrown error, and which error is reported does not depend on timing.
 * No new call starts once one has failed.
 *
 * @example
 * ```ts
 * const descs = await mapBounded(tags, 8, (tag) => target.resolve(tag))
 * ```
 */
export async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length)
  const failures = new Map<number, unknown>()
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < items.length && failures.size === 0) {
      const i = next++
      try {
        results[i] = await fn(items[i]!)
      } catch (err) {
        failures.set(i, err)
      }
    }
  }
  const workers = Math.max(1, Math.min(Math.floor(limit), items.length))
  await Promise.all(Array.from({ length: workers }, worker))
  if (failures.size > 0) throw failures.get(Math.min(...failures.keys()))
  return results
}
