import { createInterface } from 'node:readline'
import { SquizzleError } from '@squizzle/core'
import type { Io, Reporter } from './reporter.js'

/** A destructive step to confirm: what it is called (`rollback`) and what it will do, one line each. */
export interface Confirmation {
  action: string
  lines: string[]
}

/**
 * Asks `[y/N]` before a destructive step, on a terminal; `--yes` skips the question.
 * Without a terminal to ask on (CI, a script, stdin from a file) and without `--yes`,
 * refuses with `USAGE` (exit 2) before anything changes: a script must say it means it.
 * Returns false when the person answered anything but yes.
 *
 * @example
 * ```ts
 * if (!(await confirmed(ctx.io, ctx.reporter, args.values['yes'] === true, { action: 'rollback', lines }))) return 1
 * ```
 */
export async function confirmed(io: Io, r: Reporter, yes: boolean, what: Confirmation): Promise<boolean> {
  if (yes) return true
  const stdin = io.stdin
  if (!stdin?.isTTY || !io.isTTY) {
    const message = `${what.action} changes the database and needs confirmation, but there is no terminal to ask`
    throw new SquizzleError('USAGE', message, {
      hint: `Pass --yes (-y) to ${what.action} without being asked (CI, scripts); --dry-run shows what it would do.`,
    })
  }
  for (const line of what.lines) r.prompt(`${line}\n`)
  r.prompt(`${r.colors.bold(`Continue with ${what.action}?`)} [y/N] `)
  const answer = await readAnswer(stdin)
  if (/^y(es)?$/i.test(answer.trim())) return true
  r.prompt('Not confirmed: nothing was changed.\n')
  return false
}

/** One line from a terminal; end of input counts as no. */
function readAnswer(input: NodeJS.ReadableStream): Promise<string> {
  const lines = createInterface({ input, terminal: false })
  return new Promise((resolve) => {
    let answer = ''
    lines.once('line', (line) => {
      answer = line
      lines.close()
    })
    lines.once('close', () => resolve(answer))
  })
}
