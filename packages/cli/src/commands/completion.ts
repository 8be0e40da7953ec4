import { SquizzleError } from '@squizzle/core'
import { bashCompletion } from '../completion/bash-completion.js'
import { completedCommands } from '../completion/completion-spec.js'
import { fishCompletion } from '../completion/fish-completion.js'
import { zshCompletion } from '../completion/zsh-completion.js'
import { guardedOutput } from '../output/guarded-output.js'
import type { Command } from './command.js'
import { loadCommands } from './registry.js'

const shells = { bash: bashCompletion, zsh: zshCompletion, fish: fishCompletion } as const

export const completionCommand: Command = {
  name: 'completion',
  summary: 'Print a shell completion script for bash, zsh or fish',
  usage: 'squizzle completion bash|zsh|fish',
  details: [
    "Completes commands, each command's flags, files after --config, and stored versions where a command takes",
    'one (read when you press Tab, with `squizzle list --json` in the current folder).',
    'bash:  source <(squizzle completion bash)              (in ~/.bashrc)',
    'zsh:   source <(squizzle completion zsh)               (in ~/.zshrc, after compinit)',
    'fish:  squizzle completion fish > ~/.config/fish/completions/squizzle.fish',
  ],
  examples: [
    'squizzle completion bash',
    'squizzle completion zsh > "${fpath[1]}/_squizzle"',
    'squizzle completion fish',
  ],
  options: {},
  async run(ctx, args) {
    const [shell, ...rest] = args.positionals
    if (shell === undefined || rest.length > 0 || !Object.hasOwn(shells, shell)) {
      const got = shell ? ` (got "${shell}")` : ''
      throw new SquizzleError('USAGE', `completion takes one shell: bash, zsh or fish${got}`, {
        hint: 'Example: source <(squizzle completion bash)',
      })
    }
    const script = shells[shell as keyof typeof shells](completedCommands(await loadCommands()))
    // The script is our own text, written as is (the reporter would escape nothing in it anyway).
    if (ctx.flags.json) ctx.reporter.json({ shell, script })
    else guardedOutput(ctx.io.stdout).write(script)
    return 0
  },
}
