import type { Command } from './commands/command.js'
import { exitCodes } from './exit-codes.js'
import { wrapText } from './output/wrap-text.js'

const globalHelp = [
  '--storage URL          where bundles live: file:PATH (default file:.squizzle/artifacts) or ' +
    'oci://HOST[:PORT]/REPO; env SQUIZZLE_STORAGE',
  '--plain-http           talk HTTP, not HTTPS, to oci:// registries (same as ?plain-http=true)',
  '--database-url URL     PostgreSQL to migrate; env DATABASE_URL',
  '--schema NAME          schema-per-tenant: migrate this schema of the database (database.schema)',
  '--config FILE          config file (default: squizzle.config.{ts,mjs,js,json,yaml} found upward)',
  '--env NAME             use environments.NAME from the config; env SQUIZZLE_ENV',
  '--lock-timeout 60s     how long to wait for the migration lock; env SQUIZZLE_LOCK_TIMEOUT',
  '--connect-timeout 30s  how long to retry while the database is not up yet (0: once); env SQUIZZLE_CONNECT_TIMEOUT',
  '--json                 machine-readable output on stdout, nothing else there',
  '--quiet, --verbose     less or more output',
  '--no-color             no colour (also NO_COLOR=1); FORCE_COLOR=1 forces it, e.g. in CI logs',
  '--help, --version      --version --verbose also lists core, Node and each plugin the config loads',
]

/**
 * The top-level help.
 *
 * @example
 * ```ts
 * process.stdout.write(mainHelp('0.1.0', await loadCommands(), 80))
 * ```
 */
export function mainHelp(version: string, commands: readonly Command[], width = 80): string {
  const nameWidth = Math.max(...commands.map((c) => c.name.length))
  return [
    `squizzle ${version}: database migrations shipped like software releases`,
    '',
    'Usage: squizzle <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(nameWidth)}  ${c.summary}`),
    '',
    'Global options:',
    ...globalHelp.map((l) => `  ${l}`),
    '',
    'Exit codes:',
    `  ${exitCodes.ok} ok, ${exitCodes.failure} failure, ${exitCodes.usage} usage or config error,` +
      ` ${exitCodes.integrity} integrity failure,`,
    `  ${exitCodes.signature} signature or policy failure, ${exitCodes.lockTimeout} lock timeout,` +
      ` ${exitCodes.interrupted} interrupted (Ctrl-C)`,
    '',
    'Examples:',
    '  squizzle init',
    '  squizzle build 1.0.0 --notes "first release"',
    '  DATABASE_URL=postgres://app:secret@localhost/app squizzle apply',
    '  squizzle status --json',
    '',
    "Run `squizzle <command> --help` for a command's options and examples.",
    '',
  ]
    .map((line) => wrapText(line, width))
    .join('\n')
}

/**
 * The help of one command.
 *
 * @example
 * ```ts
 * process.stdout.write(commandHelp(applyCommand, process.stdout.columns ?? 80))
 * ```
 */
export function commandHelp(command: Command, width = 80): string {
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
  ]
    .map((line) => wrapText(line, width))
    .join('\n')
}

/**
 * The width help is wrapped to: COLUMNS when set (as shells and `script` export it),
 * else the terminal's width, else 80 (a pipe, a file).
 *
 * @example
 * ```ts
 * helpWidth({ COLUMNS: '60' }, undefined) // 60
 * ```
 */
export function helpWidth(env: NodeJS.ProcessEnv, columns: number | undefined): number {
  const fromEnv = Number(env['COLUMNS'])
  const width = Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : columns !== undefined && columns > 0 ? columns : 80
  return Math.max(40, width)
}
