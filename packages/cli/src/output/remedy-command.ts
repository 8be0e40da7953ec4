import type { Remedy, RemedyOperation, SquizzleError } from '@squizzle/core'

/** What an operation needs on the command line when the remedy names no argument. */
const placeholders: Partial<Record<RemedyOperation, string[]>> = {
  sign: ['<version>'],
  baseline: ['<version>'],
  verify: ['<version>'],
}

/** Options whose flag is not simply `--<kebab-case name>`; an empty list means the default, no flag. */
const specialFlags: Record<string, (value: string | boolean) => string[]> = {
  mode: (value) => (value === 'restart' ? ['--restart'] : []),
}

/**
 * A remedy as the command line that carries it out: the operation as a command, its
 * options (library names) as flags (`allowUnchained: true` → `--allow-unchained`,
 * `snapshot: false` → `--no-snapshot`, `to: '1.0.0'` → `--to 1.0.0`).
 *
 * @example
 * ```ts
 * remedyCommand({ operation: 'repair', args: ['1.3.0'], options: { mode: 'restart' } })
 * // 'squizzle repair 1.3.0 --restart'
 * ```
 */
export function remedyCommand(remedy: Remedy): string {
  const args = remedy.args ?? placeholders[remedy.operation] ?? []
  const flags = Object.entries(remedy.options ?? {}).flatMap(([name, value]) => flagsOf(name, value))
  return ['squizzle', ...remedy.operation.split('.'), ...args, ...flags].join(' ')
}

/**
 * The error's hint as the CLI shows it: the library's words, then the commands its remedies name.
 *
 * @example
 * ```ts
 * cliHint(err) // 'Check by hand …, then force the baseline (audited). Next: `squizzle baseline 1.0.0 --force`.'
 * ```
 */
export function cliHint(err: Pick<SquizzleError, 'hint' | 'remedies'>): string | undefined {
  const commands = (err.remedies ?? []).map((r) => `\`${remedyCommand(r)}\``)
  if (commands.length === 0) return err.hint
  const next = `Next: ${commands.join(' or ')}.`
  return err.hint ? `${err.hint} ${next}` : next
}

function flagsOf(name: string, value: string | boolean): string[] {
  const special = specialFlags[name]
  if (special) return special(value)
  const flag = name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)
  if (value === true) return [`--${flag}`]
  if (value === false) return [`--no-${flag}`]
  return [`--${flag}`, value]
}
