import { connectWithRetry, currentActor, SquizzleError, type DriverFactory, type MigratorOptions } from '@squizzle/core'
import { PostgresDriver } from '@squizzle/driver-postgres'
import type { CommandContext } from '../context.js'
import { trustPolicyFor } from '../security/trust-policy.js'
import { toolVersion } from '../tool-version.js'

/**
 * Connects one fleet target with the built-in PostgreSQL driver (in the target's tenant
 * `schema`, if it names one), retrying as long as the invocation's connect timeout while the
 * server is not up yet. A target that cannot be connected has its driver closed before the
 * error goes to its report line. Usage error when the config names a driver plugin: a plugin
 * is built once from its options (its own connection), not per target's URL and schema.
 *
 * @example
 * ```ts
 * const connect = fleetDriverFactory(ctx)
 * const driver = await connect({ name: 'acme', url: 'env:ACME_URL', connection: process.env.ACME_URL! })
 * ```
 */
export function fleetDriverFactory(ctx: CommandContext): DriverFactory {
  if (ctx.settings.driver) {
    throw new SquizzleError(
      'USAGE',
      'fleet runs with the built-in PostgreSQL driver; the config names a driver plugin',
      {
        hint:
          'Remove driver from the environment used for the fleet, ' +
          'or roll out from a script with rollout() and your driver.',
      },
    )
  }
  const applicationName = ctx.settings.database?.applicationName
  return async (target) => {
    const driver = new PostgresDriver({
      url: target.connection,
      ...(applicationName ? { applicationName } : {}),
      ...(target.schema === undefined ? {} : { schema: target.schema }),
    })
    try {
      await connectWithRetry(driver, { timeoutMs: ctx.connectTimeoutMs() })
    } catch (err) {
      await driver.close().catch(() => {})
      throw err
    }
    return driver
  }
}

/**
 * The Migrator settings every target of the fleet shares: the storage, the trust policy,
 * the lock timeout, seeds and limits of this invocation, as `apply` uses them.
 *
 * @example
 * ```ts
 * await rollout({ targets, migrator: await fleetMigratorOptions(ctx), connect: fleetDriverFactory(ctx) })
 * ```
 */
export async function fleetMigratorOptions(ctx: CommandContext): Promise<Omit<MigratorOptions, 'driver' | 'events'>> {
  const policy = await trustPolicyFor(ctx)
  return {
    storage: await ctx.openStorage('required'),
    toolVersion,
    actor: currentActor(ctx.io.env),
    lockTimeoutMs: ctx.lockTimeoutMs(),
    allowOutOfOrder: ctx.settings.allowOutOfOrder ?? false,
    seeds: ctx.settings.seeds ?? true,
    ...(ctx.settings.limits ? { limits: ctx.settings.limits } : {}),
    ...(policy ? { policy } : {}),
  }
}
