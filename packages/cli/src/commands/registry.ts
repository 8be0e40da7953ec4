import type { Command } from './command.js'

/**
 * Every command, in the order `--help` lists them, each loaded only when asked for.
 * WHY lazy: a command's module pulls in what it runs with (Sigstore and CycloneDX for
 * sign/sbom/build, drizzle and squawk helpers for build, ...). Loading all of them
 * made every run, even `squizzle push` or `--version`, pay for all of them in start-up
 * time and memory; now a run loads the one command it executes.
 */
const loaders: Readonly<Record<string, () => Promise<Command>>> = {
  init: async () => (await import('./init.js')).initCommand,
  new: async () => (await import('./new.js')).newCommand,
  build: async () => (await import('./build.js')).buildCommand,
  push: async () => (await import('./push.js')).pushCommand,
  pull: async () => (await import('./pull.js')).pullCommand,
  apply: async () => (await import('./apply.js')).applyCommand,
  rollback: async () => (await import('./rollback.js')).rollbackCommand,
  status: async () => (await import('./status.js')).statusCommand,
  fleet: async () => (await import('./fleet.js')).fleetCommand,
  drift: async () => (await import('./drift.js')).driftCommand,
  diff: async () => (await import('./diff.js')).diffCommand,
  list: async () => (await import('./list.js')).listCommand,
  verify: async () => (await import('./verify.js')).verifyCommand,
  export: async () => (await import('./export.js')).exportCommand,
  import: async () => (await import('./import.js')).importCommand,
  ledger: async () => (await import('./ledger.js')).ledgerCommand,
  baseline: async () => (await import('./baseline.js')).baselineCommand,
  repair: async () => (await import('./repair.js')).repairCommand,
  keygen: async () => (await import('./keygen.js')).keygenCommand,
  sign: async () => (await import('./sign.js')).signCommand,
  sbom: async () => (await import('./sbom.js')).sbomCommand,
  sql: async () => (await import('./sql.js')).sqlCommand,
  completion: async () => (await import('./completion.js')).completionCommand,
  console: async () => (await import('./console.js')).consoleCommand,
}

/** The names of every command, in the order `--help` lists them. */
export const commandNames: readonly string[] = Object.keys(loaders)

/**
 * Loads the command called `name`, if there is one (only that command's module and
 * what it imports).
 *
 * @example
 * ```ts
 * (await loadCommand('apply'))?.usage
 * // 'squizzle apply [version] [--dry-run] [--allow-out-of-order] [--allow-unchained]'
 * ```
 */
export async function loadCommand(name: string | undefined): Promise<Command | undefined> {
  const load = name !== undefined && Object.hasOwn(loaders, name) ? loaders[name] : undefined
  return load ? await load() : undefined
}

/**
 * Loads every command, in `--help` order (for the top-level help, which lists them all).
 *
 * @example
 * ```ts
 * (await loadCommands()).map((c) => c.name) // ['init', 'build', 'push', …]
 * ```
 */
export async function loadCommands(): Promise<Command[]> {
  return Promise.all(commandNames.map(async (name) => (await loadCommand(name)) as Command))
}
