/**
 * Runs `work` on every item, at most `limit` at once, in list order; no new item starts
 * once `stopped()` is true (items already running finish). Resolves when all started
 * items finished. `work` must not throw: each item reports its own outcome.
 *
 * @example
 * ```ts
 * await runBounded(targets, 8, (t) => applyOne(t), () => halted)
 * ```
 */
export async function runBounded<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
  stopped: () => boolean = () => false,
): Promise<void> {
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < items.length && !stopped()) {
      const item = items[next++]!
      await work(item)
    }
  }
  const workers = Math.max(1, Math.min(Math.floor(limit), items.length))
  await Promise.all(Array.from({ length: workers }, worker))
}
