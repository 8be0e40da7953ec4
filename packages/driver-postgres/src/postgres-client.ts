import postgres from 'postgres'

/**
 * postgres.js, re-exported so the driver can import it on first connect
 * (`await import('./postgres-client.js')`) with its types intact: a CLI run that
 * never touches a database then never loads the client.
 *
 * @example
 * ```ts
 * const { postgres } = await import('./postgres-client.js')
 * const sql = postgres('postgres://localhost/app', { max: 1 })
 * ```
 */
export { postgres }
