import type { ParseArgsConfig } from 'node:util'
import { globalOptions } from '../args.js'
import type { Command } from '../commands/command.js'

type Options = NonNullable<ParseArgsConfig['options']>

/** What a shell completes after a command: stored versions (read lazily), files, fixed words, or nothing. */
export type CompletedArguments = 'versions' | 'files' | readonly string[] | null

/** One command as completion scripts see it. */
export interface CompletedCommand {
  name: string
  summary: string
  /** Every flag it takes, long and short (`--dry-run`, `-y`), its own and the global ones. */
  flags: string[]
  /** Its flags that take a value (`--to`), so the word after one is not the command. */
  valueFlags: string[]
  arguments: CompletedArguments
}

// Commands whose arguments are stored versions; the rest take none, or the words given here.
const versionCommands = new Set([
  'apply',
  'baseline',
  'diff',
  'export',
  'pull',
  'push',
  'repair',
  'sbom',
  'sign',
  'sql',
  'verify',
])
// Commands whose argument is a file (the archive `import` reads).
const fileCommands = new Set(['import'])
const words: Record<string, readonly string[]> = { completion: ['bash', 'zsh', 'fish'], ledger: ['rebuild', 'verify'] }

/**
 * The commands, their flags and arguments, from the same definitions `--help` shows.
 *
 * @example
 * ```ts
 * completedCommands(await loadCommands()).find((c) => c.name === 'apply')?.flags // ['--dry-run', …]
 * ```
 */
export function completedCommands(commands: readonly Command[]): CompletedCommand[] {
  return commands.map((c) => ({
    name: c.name,
    summary: c.summary,
    flags: flagsOf(c.options),
    valueFlags: flagsOf(c.options, 'string'),
    arguments: argumentsOf(c.name),
  }))
}

function argumentsOf(command: string): CompletedArguments {
  if (versionCommands.has(command)) return 'versions'
  return fileCommands.has(command) ? 'files' : (words[command] ?? null)
}

/** The global flags, and those of them that take a value. */
export function globalFlags(): { flags: string[]; valueFlags: string[] } {
  return { flags: flagsOf(globalOptions), valueFlags: flagsOf(globalOptions, 'string') }
}

function flagsOf(options: Options, type?: 'string'): string[] {
  return Object.entries(options)
    .filter(([, spec]) => type === undefined || spec.type === type)
    .flatMap(([name, spec]) => [`--${name}`, ...(spec.short ? [`-${spec.short}`] : [])])
}

/** The flags whose value is a version (`rollback --to`), completed like version arguments. */
export const versionValueFlags = ['--to']

/** Flags whose value is a file, completed as file names. */
export const fileValueFlags = ['--config', '-c', '--out', '--output', '-o']
