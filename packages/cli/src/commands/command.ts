import type { ParseArgsConfig } from 'node:util'
import type { ParsedCommand } from '../args.js'
import type { CommandContext } from '../context.js'

/** One `squizzle <name>` command: its help and what it does. */
export interface Command {
  name: string
  summary: string
  usage: string
  /** Lines of `--help` describing arguments and options. */
  details: string[]
  /** Real invocations shown in `--help`. */
  examples: string[]
  options: NonNullable<ParseArgsConfig['options']>
  /** String options that may also be given bare (`--lint`), with the value they then take (`warn`). */
  bareValues?: Record<string, string>
  /** Returns the exit code. */
  run(ctx: CommandContext, args: ParsedCommand): Promise<number>
}
