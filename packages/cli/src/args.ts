import { parseArgs, type ParseArgsConfig } from 'node:util'
import { parsePinnedVersion, parseVersion, SquizzleError, type PinnedVersion } from '@squizzle/core'
import { closestMatch } from '@squizzle/core/config'

type OptionSpec = NonNullable<ParseArgsConfig['options']>

/** Options every command accepts. */
export const globalOptions = {
  config: { type: 'string', short: 'c' },
  env: { type: 'string', short: 'e' },
  json: { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
  verbose: { type: 'boolean', short: 'v' },
  'no-color': { type: 'boolean' },
  storage: { type: 'string', short: 's' },
  'database-url': { type: 'string' },
  schema: { type: 'string' },
  'lock-timeout': { type: 'string' },
  'connect-timeout': { type: 'string' },
  'plain-http': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies OptionSpec

export interface GlobalFlags {
  config?: string | undefined
  env?: string | undefined
  json: boolean
  quiet: boolean
  verbose: boolean
  noColor: boolean
  storage?: string | undefined
  databaseUrl?: string | undefined
  /** Schema-per-tenant: the tenant schema single-target commands migrate. */
  schema?: string | undefined
  lockTimeout?: string | undefined
  /** How long to retry connecting while the database is not up yet. */
  connectTimeout?: string | undefined
  /** Talk to oci:// registries over plain HTTP (never chosen without being asked). */
  plainHttp: boolean
  help: boolean
}

export interface ParsedCommand {
  name: string | undefined
  globals: GlobalFlags
  values: Record<string, string | boolean | string[] | undefined>
  positionals: string[]
}

/**
 * The command name in argv (its first positional), found the way `parseCommand` finds it,
 * so the command can be loaded before its own options are parsed.
 *
 * @example
 * ```ts
 * commandName(['--json', 'status']) // 'status'
 * ```
 */
export function commandName(argv: string[]): string | undefined {
  return parseArgs({ args: argv, options: globalOptions, strict: false, allowPositionals: true }).positionals[0]
}

/**
 * Splits argv into the command name, global flags and the command's own flags.
 * Unknown flags are a usage error (exit 2), never silently ignored.
 *
 * @example
 * ```ts
 * parseCommand(['apply', '1.2.0', '--dry-run'], { 'dry-run': { type: 'boolean' } })
 * ```
 */
export function parseCommand(
  argv: string[],
  commandOptions: (name: string | undefined) => OptionSpec,
  bareValues: (name: string | undefined) => Record<string, string> = () => ({}),
): ParsedCommand {
  const name = commandName(argv)
  argv = withBareValues(argv, bareValues(name))
  const options = { ...globalOptions, ...commandOptions(name) }
  checkOptions(argv, options, name)
  let parsed
  try {
    parsed = parseArgs({ args: argv, options, strict: true, allowPositionals: true })
  } catch (cause) {
    throw new SquizzleError('USAGE', cause instanceof Error ? cause.message.split('\n')[0]! : String(cause), {
      hint: helpHint(name),
    })
  }
  return {
    name,
    globals: globalsOf(parsed.values as Record<string, string | boolean | undefined>),
    values: parsed.values as ParsedCommand['values'],
    positionals: parsed.positionals.slice(1),
  }
}

/** `--lint` alone means `--lint=warn`: rewritten before parsing, so it never takes the next argument as its value. */
function withBareValues(argv: string[], bare: Record<string, string>): string[] {
  const end = argv.indexOf('--')
  return argv.map((arg, i) =>
    (end === -1 || i < end) && arg.startsWith('--') && Object.hasOwn(bare, arg.slice(2))
      ? `${arg}=${bare[arg.slice(2)]}`
      : arg,
  )
}

function globalsOf(v: Record<string, string | boolean | undefined>): ParsedCommand['globals'] {
  return {
    config: v['config'] as string | undefined,
    env: v['env'] as string | undefined,
    json: v['json'] === true,
    quiet: v['quiet'] === true,
    verbose: v['verbose'] === true,
    noColor: v['no-color'] === true,
    storage: v['storage'] as string | undefined,
    databaseUrl: v['database-url'] as string | undefined,
    schema: v['schema'] as string | undefined,
    lockTimeout: v['lock-timeout'] as string | undefined,
    connectTimeout: v['connect-timeout'] as string | undefined,
    plainHttp: v['plain-http'] === true,
    help: v['help'] === true,
  }
}

/**
 * Refuses, in our own words, an option the command does not have (naming the closest
 * one it has), a value option given no value and a flag given one; Node's parseArgs
 * would say it with quoting meant for another audience.
 */
function checkOptions(argv: string[], options: OptionSpec, name: string | undefined): void {
  const { tokens } = parseArgs({ args: argv, options, strict: false, allowPositionals: true, tokens: true })
  const command = name === undefined ? 'squizzle' : `squizzle ${name}`
  for (const token of tokens) {
    if (token.kind !== 'option') continue
    const spec = options[token.name]
    if (spec === undefined) {
      const meant = closestMatch(token.name, Object.keys(options))
      const hint = `${meant ? `Did you mean --${meant}? ` : ''}${helpHint(name)}`
      const details = { option: token.rawName, ...(meant ? { suggestion: `--${meant}` } : {}) }
      throw new SquizzleError('USAGE', `${command} has no option ${token.rawName}`, { hint, details })
    }
    if (spec.type === 'string' && token.value === undefined) {
      const hint = `Write ${token.rawName} VALUE or ${token.rawName}=VALUE. ${helpHint(name)}`
      throw new SquizzleError('USAGE', `${token.rawName} needs a value`, { hint })
    }
    if (spec.type === 'boolean' && token.value !== undefined) {
      const message = `${token.rawName} takes no value (got "${token.value}")`
      throw new SquizzleError('USAGE', message, { hint: helpHint(name) })
    }
  }
}

function helpHint(name: string | undefined): string {
  return `Run \`squizzle ${name ? `${name} ` : ''}--help\` for the options it accepts.`
}

/**
 * Parses a duration such as `30s`, `500ms`, `2m` or a bare number of milliseconds.
 *
 * @example
 * ```ts
 * parseDuration('2m', '--lock-timeout') // 120000
 * ```
 */
export function parseDuration(text: string, what: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim())
  if (!match) {
    throw new SquizzleError('USAGE', `${what}: "${text}" is not a duration`, {
      hint: 'Use a number with ms, s, m or h, e.g. 30s or 2m.',
    })
  }
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] ?? 'ms'] ?? 1
  const ms = Math.round(Number(match[1]) * unit)
  // Node timers cannot wait longer; a larger value would fire at once.
  if (ms > maxDurationMs) {
    const hint = 'Use at most 24 days (e.g. 24h).'
    throw new SquizzleError('USAGE', `${what}: "${text}" is longer than 24 days`, { hint })
  }
  return ms
}

const maxDurationMs = 2 ** 31 - 1

/**
 * A command's positional arguments, checked at the boundary: how many it takes
 * (`USAGE` otherwise) and that each is a semantic version (`VERSION_INVALID`).
 * Both exit 2, before anything connects or reads, so `apply 1.x` is never a lookup.
 *
 * @example
 * ```ts
 * const [target] = versionArguments(args.positionals, 'apply', { min: 0, max: 1 })
 * ```
 */
export function versionArguments(
  positionals: readonly string[],
  command: string,
  count: { min: number; max: number },
  options: { pinned?: boolean } = {},
): string[] {
  const { min, max } = count
  if (positionals.length < min || positionals.length > max) {
    const takes = max === 0 ? 'no arguments' : min === max ? `exactly ${versions(max)}` : `at most ${versions(max)}`
    const example = `squizzle ${command} ${max === 0 ? '--help' : ['1.0.0', '1.2.0'].slice(-max).join(' ')}`
    throw new SquizzleError('USAGE', `${command} takes ${takes}`, { hint: `Example: ${example}` })
  }
  // A pinned form (`1.2.0@sha256:…`) is checked here and passed on whole: core compares the digest.
  if (options.pinned) return positionals.map((p) => pinnedReference(parsePinnedVersion(p)))
  return positionals.map((p) => parseVersion(p))
}

function pinnedReference(pin: PinnedVersion): string {
  return pin.digest === null ? pin.version : `${pin.version}@${pin.digest}`
}

/**
 * The one version argument of a command that needs exactly one (see {@link versionArguments}).
 *
 * @example
 * ```ts
 * const version = oneVersion(args.positionals, 'verify')
 * ```
 */
export function oneVersion(
  positionals: readonly string[],
  command: string,
  options: { pinned?: boolean } = {},
): string {
  return versionArguments(positionals, command, { min: 1, max: 1 }, options)[0]!
}

function versions(n: number): string {
  return n === 1 ? 'one version' : `${n} versions`
}
