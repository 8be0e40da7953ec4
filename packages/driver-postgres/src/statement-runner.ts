import type { MigrationUnit, RunOptions } from '@squizzle/core'
import type { Sql } from 'postgres'
import { cancellable } from './cancellable.js'
import { sessionEnded } from './connection-loss.js'
import { restoreSearchPath, type Session } from './work-session.js'

/** Session state a file may have changed; reset after every file so nothing leaks into the next. */
export const resetSession = 'RESET SESSION AUTHORIZATION; RESET ALL'

/**
 * Resets the session (see {@link resetSession}) on `sql`, then pins its tenant's search_path again.
 *
 * @example
 * ```ts
 * await resetSessionOn(session.sql, session)
 * ```
 */
export async function resetSessionOn(sql: Sql, session: Session): Promise<void> {
  await sql.unsafe(resetSession).simple()
  await restoreSearchPath(sql, session)
}

/** Runs `fn` on the unit's session, turning its failure into a typed error about `doing`. */
export type OnSession = <T>(doing: string, fn: () => Promise<T>, details?: Record<string, unknown>) => Promise<T>

/**
 * Runs a non-transactional unit statement by statement on one session: the
 * session settings to restore first (`replaySession`), then from `fromStatement`,
 * with `beforeStatement` and `onStatement` around each, and a session reset at
 * the end. A session that ends is never reconnected behind the file's back (its
 * settings are gone): the unit stops with a lost connection.
 *
 * @example
 * ```ts
 * await runStatements(session, unit, opts, (doing, fn) => guard(doing, fn))
 * ```
 */
export async function runStatements(
  session: Session,
  unit: MigrationUnit,
  opts: RunOptions,
  on: OnSession,
): Promise<void> {
  const { sql } = session
  const doing = `running ${unit.path}`
  const statement = (i: number, what: string) =>
    on(
      what,
      async () => {
        if (session.lost) throw sessionEnded()
        return cancellable(sql.unsafe(unit.statements[i]!).simple(), opts.signal)
      },
      { statement: i },
    )
  try {
    for (const i of opts.replaySession ?? []) await statement(i, `${doing} (restoring the session: statement ${i + 1})`)
    for (let i = opts.fromStatement ?? 0; i < unit.statements.length; i++) {
      const before = `${doing} (before statement ${i + 1})`
      if (session.lost) await on(before, () => Promise.reject(sessionEnded()), { statement: i })
      await opts.beforeStatement?.(i)
      const started = Date.now()
      await statement(i, `${doing} (statement ${i + 1})`)
      await opts.onStatement?.(i, Date.now() - started)
    }
  } catch (err) {
    // The failure is the news: a session that cannot be reset is retired instead.
    if (!session.lost) await resetSessionOn(sql, session).catch(() => void (session.lost = true))
    throw err
  }
  await on(doing, () => resetSessionOn(sql, session))
}
