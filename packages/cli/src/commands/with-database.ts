import type { PostgresDriver } from '@squizzle/driver-postgres'
import type { CommandContext } from '../context.js'

/**
 * Connects, runs `fn`, and always closes the connection (releasing any lock).
 *
 * @example
 * ```ts
 * await withDatabase(ctx, (driver) => driver.history())
 * ```
 */
export async function withDatabase<T>(ctx: CommandContext, fn: (driver: PostgresDriver) => Promise<T>): Promise<T> {
  const driver = await ctx.connectDatabase()
  try {
    return await fn(driver)
  } finally {
    await driver.close()
  }
}
