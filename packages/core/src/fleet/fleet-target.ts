import { SquizzleError } from '../errors/squizzle-error.js'

/**
 * One database of a fleet. `url` is a connection URL, or `env:NAME` to read it from
 * the environment variable NAME when the target is connected (so the config and the
 * target list never hold the password).
 */
export interface FleetTarget {
  /** Unique in the fleet; what events, reports and `shard` go by. */
  name: string
  url: string
  /** Free labels a stage selects by (`tier: canary`, `region: eu`). */
  labels?: Record<string, string>
  /** For schema-per-tenant fleets: handed to the driver factory, which keeps the target's bookkeeping there. */
  schema?: string
}

/** A target with its connection resolved: what the caller's driver factory receives. */
export interface ConnectableTarget extends FleetTarget {
  /** The connection URL itself (an `env:` reference read); never put it in a message. */
  connection: string
}

/** The environment `env:` references are read from. */
export type TargetEnvironment = Readonly<Record<string, string | undefined>>

const envReference = /^env:([A-Za-z_][A-Za-z0-9_]*)$/

/**
 * The target's connection URL: `url` itself, or the value of the variable an `env:NAME`
 * reference names. Throws `FLEET_TARGET_INVALID` naming the target and the variable
 * (never a value) when the variable is unset or empty.
 *
 * @example
 * ```ts
 * resolveConnection({ name: 'acme', url: 'env:ACME_URL' }, process.env) // the value of ACME_URL
 * ```
 */
export function resolveConnection(target: FleetTarget, env: TargetEnvironment): ConnectableTarget {
  const reference = envReference.exec(target.url)
  if (!reference) return { ...target, connection: target.url }
  const variable = reference[1]!
  const value = env[variable]
  if (!value) {
    throw new SquizzleError(
      'FLEET_TARGET_INVALID',
      `target ${target.name}: the environment variable ${variable} is not set`,
      {
        hint: `Set ${variable} to the target's connection URL where the rollout runs.`,
        details: { target: target.name, variable },
      },
    )
  }
  return { ...target, connection: value }
}

/**
 * Refuses a target list with a nameless, duplicate or connection-less target
 * (`FLEET_TARGET_INVALID`), before anything connects.
 *
 * @example
 * ```ts
 * checkTargets([{ name: 'a', url: 'env:A' }, { name: 'a', url: 'env:B' }]) // throws: a is listed twice
 * ```
 */
export function checkTargets(targets: readonly FleetTarget[]): void {
  const seen = new Set<string>()
  for (const [i, t] of targets.entries()) {
    const where = typeof t.name === 'string' && t.name !== '' ? `target ${t.name}` : `target #${i + 1}`
    if (typeof t.name !== 'string' || t.name === '') throw invalidTarget(`${where} has no name`, i)
    if (typeof t.url !== 'string' || t.url === '') throw invalidTarget(`${where} has no url`, i)
    if (seen.has(t.name)) throw invalidTarget(`${where} is listed twice`, i)
    seen.add(t.name)
  }
}

function invalidTarget(message: string, index: number): SquizzleError {
  return new SquizzleError('FLEET_TARGET_INVALID', message, {
    hint: 'Give every target a unique name and a url (a connection URL or env:VARIABLE).',
    details: { index },
  })
}

/**
 * The passwords a connection URL carries (user info or `password=`), to be kept out of
 * anything shown; empty when it has none.
 *
 * @example
 * ```ts
 * connectionPasswords('postgres://app:s3cret@db/prod') // 's3cret'
 * ```
 */
export function connectionPasswords(connection: string): string[] {
  const found: string[] = []
  try {
    const password = new URL(connection).password
    if (password) found.push(password, decodeURIComponent(password))
  } catch {
    // Not a URL (a libpq keyword string): the password= setting below still finds it.
  }
  for (const match of connection.matchAll(/password\s*=\s*('(?:[^'\\]|\\.)*'|[^&\s]+)/g)) {
    found.push(match[1]!.replace(/^'|'$/g, ''))
  }
  return found
}
