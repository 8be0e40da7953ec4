import { fileValueFlags, globalFlags, versionValueFlags, type CompletedCommand } from './completion-spec.js'

/**
 * A fish completion script: commands with their summaries, each command's flags,
 * and stored versions where a command takes them (from `squizzle list --json`).
 *
 * @example
 * ```ts
 * process.stdout.write(fishCompletion(completedCommands(await loadCommands())))
 * // then: squizzle completion fish > ~/.config/fish/completions/squizzle.fish
 * ```
 */
export function fishCompletion(commands: readonly CompletedCommand[]): string {
  const globals = globalFlags()
  const names = commands.map((c) => c.name).join(' ')
  const lines = [
    '# squizzle completion for fish. Save it: squizzle completion fish > ~/.config/fish/completions/squizzle.fish',
    'function __squizzle_versions',
    '    squizzle list --json 2>/dev/null | string replace -rf \'^ *"version": "([^"]*)".*\' \'$1\'',
    'end',
    'complete -c squizzle -f',
    ...globals.flags.map((f) => `complete -c squizzle ${fishFlag(f, globals.valueFlags.includes(f))}`),
    ...commands.map((c) => {
      const when = `-n "not __fish_seen_subcommand_from ${names}"`
      return `complete -c squizzle ${when} -a ${c.name} -d ${fishQuote(c.summary)}`
    }),
    ...commands.flatMap((c) => commandLines(c, globals.flags)),
  ]
  return `${lines.join('\n')}\n`
}

function commandLines(c: CompletedCommand, globals: readonly string[]): string[] {
  const when = `-n "__fish_seen_subcommand_from ${c.name}"`
  const own = c.flags.filter((f) => !globals.includes(f))
  const args =
    c.arguments === 'versions'
      ? ['-a "(__squizzle_versions)"']
      : c.arguments === 'files'
        ? ['-F']
        : c.arguments
          ? [`-a "${c.arguments.join(' ')}"`]
          : []
  return [
    ...own.map((f) => `complete -c squizzle ${when} ${fishFlag(f, c.valueFlags.includes(f))}`),
    ...args.map((a) => `complete -c squizzle ${when} ${a}`),
  ]
}

function fishFlag(flag: string, takesValue: boolean): string {
  const option = flag.startsWith('--') ? `-l ${flag.slice(2)}` : `-s ${flag.slice(1)}`
  if (!takesValue) return option
  if (fileValueFlags.includes(flag)) return `${option} -r -F`
  return versionValueFlags.includes(flag) ? `${option} -r -a "(__squizzle_versions)"` : `${option} -r`
}

function fishQuote(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`
}
