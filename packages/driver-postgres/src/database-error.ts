import { isSquizzleError, redactSecrets, SquizzleError, type NotReadyReason } from '@squizzle/core'

/** The fields postgres.js puts on a server error. */
interface PostgresServerError {
  message: string
  code?: string
  severity?: string
  detail?: string
  hint?: string
  position?: string
  where?: string
}

/**
 * Wraps a database error as `DATABASE_ERROR`, keeping SQLSTATE, detail,
 * server hint and error position, and removing any secret from the text.
 *
 * @example
 * ```ts
 * try { await sql`select 1` } catch (err) { throw databaseError(err, 'reading history', [password]) }
 * ```
 */
export function databaseError(
  err: unknown,
  doing: string,
  secrets: readonly (string | undefined)[] = [],
): SquizzleError {
  if (isSquizzleError(err)) return err
  const e = (err ?? {}) as PostgresServerError
  const message = redactSecrets(e.message ?? String(err), secrets)
  const sqlState = typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) ? e.code : undefined
  const position = e.position === undefined ? undefined : Number(e.position)
  const text = [message, e.detail ? `(${redactSecrets(e.detail, secrets)})` : '', sqlState ? `[${sqlState}]` : '']
    .filter(Boolean)
    .join(' ')
  return new SquizzleError('DATABASE_ERROR', text, {
    hint: e.hint ? redactSecrets(e.hint, secrets) : `PostgreSQL refused the statement while ${doing}.`,
    cause: err,
    details: {
      ...(sqlState ? { sqlState } : {}),
      ...(position !== undefined && Number.isFinite(position) ? { position: position - 1 } : {}),
      ...(e.where ? { where: redactSecrets(e.where, secrets) } : {}),
    },
  })
}

/**
 * Wraps a failure to connect as `CONNECTION_FAILED`, naming host and database but never the password.
 *
 * @example
 * ```ts
 * throw connectionError(err, 'postgres://app:***@db:5432/prod', [password])
 * ```
 */
export function connectionError(err: unknown, where: string, secrets: readonly (string | undefined)[]): SquizzleError {
  const e = (err ?? {}) as { message?: string; code?: string }
  const notReady = e.code ? notReadyCodes[e.code] : undefined
  return new SquizzleError(
    'CONNECTION_FAILED',
    `cannot connect to ${where}: ${redactSecrets(e.message ?? String(err), secrets)}`,
    {
      hint:
        'Check the database URL (host, port, database name, user and password) and that the server accepts ' +
        'connections.',
      details: { ...(e.code ? { errorCode: e.code } : {}), ...(notReady ? { notReady } : {}) },
    },
  )
}

/**
 * Failures that mean the server is not up yet, so connecting again later can succeed
 * (see `connectWithRetry` in core). Authentication (28P01, 28000) and unknown
 * databases (3D000) are deliberately absent: waiting never fixes them.
 */
const notReadyCodes: Readonly<Record<string, NotReadyReason>> = {
  ECONNREFUSED: 'starting',
  ECONNRESET: 'starting',
  EHOSTUNREACH: 'starting',
  // cannot_connect_now: "the database system is starting up" (or in recovery, not yet accepting connections).
  '57P03': 'starting',
  ENOTFOUND: 'unresolved',
  EAI_AGAIN: 'unresolved',
}
