import type { Command } from './commands/command.js'
import { exitCodes } from './exit-codes.js'

const globalHelp = [
  '--storage URL          where bundles live: file:PATH (default file:.squizzle/artifacts) or oci://HOST[:PORT]/REPO; env SQUIZZLE_STORAGE',
  '--plain-http           talk HTTP, not HTTPS, to oci:// registries (same as ?plain-http=true)',
  '--database-url URL     PostgreSQL to migrate; env DATABASE_URL',
  '--config FILE          config file (default: squizzle.config.{ts,mjs,js,json,yaml} found upward)',
  '--env NAME             use environments.NAME from the config; env SQUIZZLE_ENV',
  '--lock-timeout 60s     how long to wait for the migration lock; env SQUIZZLE_LOCK_TIMEOUT',
  '--connect-timeout 30s  how long to retry while the database is not up yet (0: once); env SQUIZZLE_CONNECT_TIMEOUT',
  '--json                 machine-readable output on stdout, nothing else there',
  '--quiet, --verbose     less or more output; NO_COLOR or --no-color disables colour',
  '--help, --version      --version --verbose also lists core, Node and each plugin the config loads',
]

/**
 * The top-level help.
 *
 * @example
 * ```ts
 * process.stdout.write(mainHelp('0.1.0', await loadCommands()))
 * ```
 */
export function mainHelp(version: string, commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length))
  return [
    `squizzle ${version}: database migrations shipped like software releases`,
    '',
    'Usage: squizzle <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Global options:',
    ...globalHelp.map((l) => `  ${l}`),
    '',
    'Exit codes:',
    `  ${exitCodes.ok} ok, ${exitCodes.failure} failure, ${exitCodes.usage} usage or config error, ${exitCodes.integrity} integrity failure,`,
    `  ${exitCodes.signature} signature or policy failure, ${exitCodes.lockTimeout} lock timeout`,
    '',
    'Examples:',
    '  squizzle init',
    '  squizzle build 1.0.0 --notes "first release"',
    '  DATABASE_URL=postgres://app:secret@localhost/app squizzle apply',
    '  squizzle status --json',
    '',
    'Run `squizzle <command> --help` for a command\'s options and examples.',
    '',
  ].join('\n')
}

/**
 * The help of one command.
 *
 * @example
 * ```ts
 * process.stdout.write(commandHelp(applyCommand))
 * ```
 */
export function commandHelp(command: Command): string {
  return [
    `${command.summary}.`,
    '',
    `Usage: ${command.usage}`,
    ...(command.details.length ? ['', ...command.details.map((d) => `  ${d}`)] : []),
    '',
    'Examples:',
    ...command.examples.map((e) => `  ${e}`),
    '',
    'Global options:',
    ...globalHelp.map((l) => `  ${l}`),
    '',
  ].join('\n')
}
