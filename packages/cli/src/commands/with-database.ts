import type { DatabaseDriver } from '@squizzle/core'
import type { CommandContext } from '../context.js'

/**
 * Connects, runs `fn`, and always closes the connection (releasing any lock).
 *
 * @example
 * ```ts
 * await withDatabase(ctx, (driver) => driver.records.history())
 * ```
 */
export async function withDatabase<T>(ctx: CommandContext, fn: (driver: DatabaseDriver) => Promise<T>): Promise<T> {
  const driver = await ctx.connectDatabase()
  try {
    return await fn(driver)
  } finally {
    await driver.close()
  }
}
