import { SquizzleError } from '@squizzle/core'
import { closestMatch } from '@squizzle/core/config'
import { commandName, parseCommand, type GlobalFlags, type ParsedCommand } from './args.js'
import { commandNames, loadCommand, loadCommands } from './commands/registry.js'
import { CommandContext } from './context.js'
import { exitCodeFor, exitCodes } from './exit-codes.js'
import { commandHelp, helpWidth, mainHelp } from './help.js'
import { versionCommand } from './commands/version.js'
import type { Command } from './commands/command.js'
import { guardedOutput } from './output/guarded-output.js'
import { Reporter, type Io, type ReporterOptions } from './output/reporter.js'
import { toolVersion } from './tool-version.js'

/**
 * Runs the CLI with `argv` (without `node` and the script) and returns the exit code.
 * Never calls process.exit; asks for confirmation only when `io.stdin` and stdout are terminals.
 *
 * @example
 * ```ts
 * const io = { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd(), isTTY: false }
 * const code = await main(['status', '--json'], io)
 * ```
 */
export async function main(argv: string[], io: Io): Promise<number> {
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
    guardedOutput(io.stdout).write(`${toolVersion}\n`)
    return exitCodes.ok
  }
  // `squizzle help [command]`, as git and npm take it: the same as `--help`.
  if (argv[0] === 'help' && argv.length <= 2) argv = argv.length === 2 ? [argv[1]!, '--help'] : ['--help']
  const reporterRef: { current?: Reporter } = {}
  let secrets: () => string[] = () => []
  try {
    const { versionAsked, command, parsed } = await resolveCommand(argv)
    if (!versionAsked && (parsed.name === undefined || (parsed.globals.help && !command))) {
      guardedOutput(io.stdout).write(mainHelp(toolVersion, await loadCommands(), helpWidth(io.env, io.columns)))
      return parsed.name === undefined && !parsed.globals.help ? exitCodes.usage : exitCodes.ok
    }
    if (!command) throw unknownCommand(parsed.name ?? '')
    if (parsed.globals.help) {
      guardedOutput(io.stdout).write(commandHelp(command, helpWidth(io.env, io.columns)))
      return exitCodes.ok
    }
    const ctx = await CommandContext.create(io, parsed.globals, reporterRef)
    secrets = () => ctx.secretValues()
    const reporter = new Reporter(io, reporterOptions(io, argv, parsed.globals, secrets))
    reporterRef.current = reporter
    const code = await runClosing(ctx, () => command.run(ctx, parsed))
    reporter.finish()
    // Output that could not be written (other than to a reader that left) is a failure.
    return code === exitCodes.ok && reporter.outputFailure ? exitCodes.failure : code
  } catch (err) {
    const code = exitCodeFor(err)
    ;(reporterRef.current ?? fallbackReporter(io, argv, secrets)).error(err, code)
    return code
  }
}

/** The command argv names (or the version report), and argv parsed strictly against that command's options. */
async function resolveCommand(
  argv: string[],
): Promise<{ versionAsked: boolean; command: Command | undefined; parsed: ParsedCommand }> {
  // Only the command being run is loaded (see registry.ts); its options are then parsed strictly.
  const versionAsked = wantsVersionReport(argv)
  const name = commandName(argv)
  const command = versionAsked ? versionCommand : await loadCommand(name)
  // A mistyped command is named as such, before its flags are judged against no command's options.
  if (!versionAsked && name !== undefined && !command) throw unknownCommand(name)
  const parsed = parseCommand(
    argv,
    () => command?.options ?? {},
    () => command?.bareValues ?? {},
  )
  return { versionAsked, command, parsed }
}

function reporterOptions(
  io: Io,
  argv: string[],
  flags: Pick<GlobalFlags, 'json' | 'quiet' | 'verbose'>,
  secrets: () => string[],
): ReporterOptions {
  return { json: flags.json, quiet: flags.quiet, verbose: flags.verbose, color: colorWanted(io, argv), secrets }
}

/** For an error before the command's flags are parsed: the flags read from argv as they are. */
function fallbackReporter(io: Io, argv: string[], secrets: () => string[]): Reporter {
  const flags = { json: argv.includes('--json'), quiet: false, verbose: argv.includes('--verbose') }
  return new Reporter(io, reporterOptions(io, argv, flags, secrets))
}

/** Runs the command, then closes what its plugins opened (after a failure too: no pool may keep the process alive). */
async function runClosing(ctx: CommandContext, run: () => Promise<number>): Promise<number> {
  let code: number
  try {
    code = await run()
  } catch (err) {
    await ctx.close().catch(() => undefined) // the command's own error is the one to report
    throw err
  }
  await ctx.close()
  return code
}

/** `--version` (-V) with `--verbose` (-v) and no command: the version report, which loads the config's plugins. */
function wantsVersionReport(argv: string[]): boolean {
  const has = (...flags: string[]) => flags.some((f) => argv.includes(f))
  return has('--version', '-V') && has('--verbose', '-v') && commandName(argv) === undefined
}

function unknownCommand(name: string): SquizzleError {
  const meant = closestMatch(name, commandNames)
  const hint = `${meant ? `Did you mean \`squizzle ${meant}\`? ` : ''}Run \`squizzle --help\` for the list of commands.`
  const details = { command: name, ...(meant ? { suggestion: meant } : {}) }
  return new SquizzleError('USAGE', `unknown command "${name}"`, { hint, details })
}

/**
 * Colour: --no-color always wins; then FORCE_COLOR (force-color.org: set and not
 * empty forces colour, even into a pipe, except `0` or `false`, which switch it off);
 * then NO_COLOR (no-color.org: set and not empty switches it off); else a terminal
 * that is not `dumb`. FORCE_COLOR before NO_COLOR is Node's own order: it is set for
 * one run (a CI log that renders colour), NO_COLOR usually once in a profile.
 */
function colorWanted(io: Io, argv: string[]): boolean {
  if (argv.includes('--no-color')) return false
  const force = io.env['FORCE_COLOR']
  if (force !== undefined && force !== '') return force !== '0' && force.toLowerCase() !== 'false'
  return io.isTTY && (io.env['NO_COLOR'] ?? '') === '' && io.env['TERM'] !== 'dumb'
}
