import type { CommandContext } from '../context.js'

type ConnectedDriver = Awaited<ReturnType<CommandContext['connectDatabase']>>

/**
 * Connects (the configured driver plugin, else PostgreSQL), runs `fn`, and always closes
 * the connection (releasing any lock).
 *
 * @example
 * ```ts
 * await withDatabase(ctx, (driver) => driver.records.history())
 * ```
 */
export async function withDatabase<T>(ctx: CommandContext, fn: (driver: ConnectedDriver) => Promise<T>): Promise<T> {
  const driver = await ctx.connectDatabase()
  try {
    return await fn(driver)
  } finally {
    await driver.close()
  }
}
