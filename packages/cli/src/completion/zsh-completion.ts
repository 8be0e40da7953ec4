import { fileValueFlags, globalFlags, versionValueFlags, type CompletedCommand } from './completion-spec.js'

/**
 * A zsh completion function (`#compdef squizzle`): commands with their summaries,
 * each command's flags, files after `--config`, and stored versions where a command
 * takes them (from `squizzle list --json`, read when asked for).
 *
 * @example
 * ```ts
 * process.stdout.write(zshCompletion(completedCommands(await loadCommands())))
 * // then: squizzle completion zsh > "${fpath[1]}/_squizzle", or source <(squizzle completion zsh)
 * ```
 */
export function zshCompletion(commands: readonly CompletedCommand[]): string {
  const globals = globalFlags()
  const skipValue = [...new Set([...globals.valueFlags, ...commands.flatMap((c) => c.valueFlags)])]
  const described = commands.map((c) => `    ${zshQuote(`${c.name}:${c.summary}`)}`).join('\n')
  return `${zshPreamble}_squizzle() {
  local cmd="" i
  local -a commands flags
  commands=(
${described}
  )
${zshCommandWord(skipValue)}
  case "\${words[CURRENT-1]}" in
    ${fileValueFlags.join('|')}) _files; return ;;
    ${versionValueFlags.join('|')}) _squizzle_versions; return ;;
    ${globals.valueFlags.filter((f) => !fileValueFlags.includes(f)).join('|')}) return ;;
  esac
  flags=(${globals.flags.join(' ')})
  case "$cmd" in
${commands.map((c) => zshCase(c)).join('\n')}
  esac
  if [[ -z "$cmd" && "$PREFIX" != -* ]]; then
    _describe 'command' commands
  elif [[ "$PREFIX" == -* ]]; then
    compadd -a flags
  else
    case "$cmd" in
${commands
  .filter((c) => c.arguments !== null)
  .map((c) => zshArguments(c))
  .join('\n')}
    esac
  fi
}
if [[ "\${funcstack[1]}" == _squizzle ]]; then _squizzle "$@"; else compdef _squizzle squizzle; fi
`
}

/** The header and the function completing stored versions (from `squizzle list --json`). */
const zshPreamble = `#compdef squizzle
# squizzle completion for zsh. Load it with: source <(squizzle completion zsh)
# (or save it as _squizzle in a folder of $fpath).
_squizzle_versions() {
  local -a versions
  versions=(\${(f)"$("\${words[1]}" list --json 2>/dev/null | sed -n 's/^ *"version": "\\([^"]*\\)".*/\\1/p')"})
  compadd -a versions
}
`

/** The loop finding the command word, stepping over the value of each flag that takes one. */
function zshCommandWord(skipValue: readonly string[]): string {
  return `  for ((i = 2; i < CURRENT; i++)); do
    case "\${words[i]}" in
      ${skipValue.join('|')}) ((i++)) ;;
      -*) ;;
      *) cmd="\${words[i]}"; break ;;
    esac
  done`
}

function zshCase(c: CompletedCommand): string {
  return c.flags.length ? `    ${c.name}) flags+=(${c.flags.join(' ')}) ;;` : `    ${c.name}) ;;`
}

function zshArguments(c: CompletedCommand): string {
  const action =
    c.arguments === 'versions'
      ? '_squizzle_versions'
      : c.arguments === 'files'
        ? '_files'
        : `compadd ${(c.arguments ?? []).join(' ')}`
  return `      ${c.name}) ${action} ;;`
}

/** A single-quoted zsh word; `:` in the summary is escaped so `_describe` keeps it in the description. */
function zshQuote(text: string): string {
  const [name, ...rest] = text.split(':')
  return `'${[name, rest.join('\\:')].join(':').replace(/'/g, "'\\''")}'`
}
