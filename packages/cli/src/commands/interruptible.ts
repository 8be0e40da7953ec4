import type { CommandContext } from '../context.js'

/**
 * Runs `fn` with a signal that Ctrl-C aborts: the first press asks the engine to stop
 * at the next safe point (cancelling the statement running), the second quits at once.
 * Each press says so on stderr; what the database then holds is in the error `fn` throws.
 *
 * @example
 * ```ts
 * await interruptible(ctx, (signal) => migrator.apply(target, { signal }))
 * ```
 */
export async function interruptible<T>(ctx: CommandContext, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController()
  const r = ctx.reporter
  const stop = ctx.io.onInterrupt?.((presses) => {
    if (presses === 1) {
      const what = 'cancelling the statement running and stopping before the next step'
      r.prompt(`\n${r.colors.yellow('Interrupted:')} ${what}; press Ctrl-C again to quit at once.\n`)
      controller.abort()
    } else {
      r.prompt(
        `${r.colors.red('Quitting now:')} the server rolls back the open transaction; ` +
          'committed steps stay recorded, and `squizzle status` shows where the database is.\n',
      )
    }
  })
  try {
    return await fn(controller.signal)
  } finally {
    stop?.()
  }
}
