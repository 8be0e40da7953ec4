import type { PendingQuery, Row } from 'postgres'

/**
 * Runs a query that `signal` can cancel: when it aborts, postgres.js sends the
 * server a cancel request for it (what `pg_cancel_backend` does), so the statement
 * stops and the query fails with `57014 query_canceled`; an already aborted signal
 * sends nothing to the server at all.
 *
 * @example
 * ```ts
 * await cancellable(sql.unsafe(statement).simple(), opts.signal)
 * ```
 */
export async function cancellable<T extends readonly Row[]>(
  query: PendingQuery<T>,
  signal: AbortSignal | undefined,
): Promise<T> {
  if (!signal) return query
  if (signal.aborted) {
    throw Object.assign(new Error('canceling statement: the run was cancelled before it was sent'), { code: '57014' })
  }
  const cancel = () => void query.cancel()
  signal.addEventListener('abort', cancel, { once: true })
  try {
    return await query.execute()
  } finally {
    signal.removeEventListener('abort', cancel)
  }
}
