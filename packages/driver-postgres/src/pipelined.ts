/** A postgres.js query not sent yet: `execute()` sends it, awaiting it gives its result. */
export type UnsentQuery<T = unknown> = PromiseLike<T> & { execute(): unknown }

/**
 * Sends `queries` on one connection in this order, without waiting for one before sending
 * the next (postgres.js pipelines queries without parameters, so they share one round trip;
 * one with parameters waits for its description first), then waits for all. Throws the
 * failure of the first query, in this order, that failed (in a transaction, every later one
 * fails only because the first aborted it), as `failure(index, error)` makes it.
 *
 * @example
 * ```ts
 * const [, rows] = await pipelined([tx`CREATE SCHEMA IF NOT EXISTS app`, tx`SELECT 1 AS one`])
 * ```
 */
export async function pipelined<const T extends readonly UnsentQuery[]>(
  queries: T,
  failure: (index: number, error: unknown) => unknown = (_, error) => error,
): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  for (const query of queries) query.execute()
  const settled = await Promise.allSettled(queries)
  const index = settled.findIndex((s) => s.status === 'rejected')
  if (index >= 0) throw failure(index, (settled[index] as PromiseRejectedResult).reason)
  return settled.map((s) => (s as PromiseFulfilledResult<unknown>).value) as never
}
