import { fileValueFlags, globalFlags, versionValueFlags, type CompletedCommand } from './completion-spec.js'

/**
 * A bash completion script: commands, each command's flags, files after `--config`
 * and where a command takes a file, and stored versions where a command takes them, read when asked for from
 * `squizzle list --json` (of the project in the working directory).
 *
 * @example
 * ```ts
 * process.stdout.write(bashCompletion(completedCommands(await loadCommands())))
 * // then, in ~/.bashrc: source <(squizzle completion bash)
 * ```
 */
export function bashCompletion(commands: readonly CompletedCommand[]): string {
  const globals = globalFlags()
  const skipValue = [...new Set([...globals.valueFlags, ...commands.flatMap((c) => c.valueFlags)])]
  return `# squizzle completion for bash. Load it with: source <(squizzle completion bash)
_squizzle_versions() {
  "\${COMP_WORDS[0]}" list --json 2>/dev/null | sed -n 's/^ *"version": "\\([^"]*\\)".*/\\1/p'
}
_squizzle() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" cmd="" i
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in
      ${skipValue.join('|')}) ((i++)) ;;
      -*) ;;
      *) cmd="\${COMP_WORDS[i]}"; break ;;
    esac
  done
  case "$prev" in
    ${fileValueFlags.join('|')}) COMPREPLY=($(compgen -f -- "$cur")); return 0 ;;
    ${versionValueFlags.join('|')}) COMPREPLY=($(compgen -W "$(_squizzle_versions)" -- "$cur")); return 0 ;;
    ${globals.valueFlags.filter((f) => !fileValueFlags.includes(f)).join('|')}) COMPREPLY=(); return 0 ;;
  esac
  local flags="${globals.flags.join(' ')}" words="" files=""
  case "$cmd" in
    "") words="${commands.map((c) => c.name).join(' ')}" ;;
${commands.map((c) => bashCase(c)).join('\n')}
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$flags" -- "$cur"))
  elif [[ -n "$files" ]]; then
    COMPREPLY=($(compgen -f -- "$cur"))
  else
    COMPREPLY=($(compgen -W "$words" -- "$cur"))
  fi
  return 0
}
complete -F _squizzle squizzle
`
}

function bashCase(c: CompletedCommand): string {
  const words =
    c.arguments === 'versions'
      ? ' words="$(_squizzle_versions)";'
      : c.arguments === 'files'
        ? ' files=1;'
        : c.arguments
          ? ` words="${c.arguments.join(' ')}";`
          : ''
  const flags = c.flags.length ? ` flags="$flags ${c.flags.join(' ')}";` : ''
  return `    ${c.name})${flags}${words} ;;`
}
