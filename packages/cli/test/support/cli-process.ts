import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { inject } from 'vitest'
import { squizzleInProcess } from './in-process.js'
import { recordRun } from './run-log.js'

/** The built CLI entry point, for the tests that need the real binary in a real process. */
export const binPath = fileURLToPath(new URL('../../dist/bin.js', import.meta.url))

export interface CliResult {
  code: number | null
  /** The signal that ended the process; always null for an in-process run. */
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

export interface CliOptions {
  cwd: string
  /** Added to a clean environment (PATH, HOME, NO_COLOR, SQUIZZLE_DEV_URL); nothing else of the test's. */
  env?: Record<string, string>
  /**
   * Run the built binary in a child process instead of `main()` in the test process.
   * Only for what the process boundary itself does: signals, stdin, pipes, start-up.
   */
  process?: boolean
}

/** SQUIZZLE_TEST_CLI_PROCESS=1 runs every test's CLI runs as processes of the built binary, as before. */
const everyRunInAProcess = process.env['SQUIZZLE_TEST_CLI_PROCESS'] === '1'

/**
 * Runs `squizzle <args>` in `cwd` with `env` added to a clean environment. By default
 * the CLI's `main()` runs in the test process (on source, a few milliseconds of start-up
 * instead of a Node process each); `{ process: true }` runs the built binary instead.
 * Both give the same exit code and output (test/in-process.test.ts proves it).
 *
 * @example
 * ```ts
 * const r = await squizzle(['status', '--json'], { cwd, env: { DATABASE_URL: url } })
 * ```
 */
export async function squizzle(args: string[], options: CliOptions): Promise<CliResult> {
  const inAProcess = options.process === true || everyRunInAProcess
  const result = inAProcess
    ? await collect(startSquizzle(args, options))
    : await squizzleInProcess(args, { cwd: options.cwd, env: cliEnv(options.env) })
  recordRun(args, result, inAProcess ? 'process' : 'in-process')
  return result
}

/**
 * Runs the built binary in a real process and waits for it.
 *
 * @example
 * ```ts
 * const r = await squizzleProcess(['--version'], { cwd })
 * ```
 */
export function squizzleProcess(args: string[], options: CliOptions): Promise<CliResult> {
  return squizzle(args, { ...options, process: true })
}

/**
 * Starts the built CLI in a real process without waiting, for concurrency and kill tests.
 *
 * @example
 * ```ts
 * const child = startSquizzle(['apply'], { cwd, env: { DATABASE_URL: url } })
 * child.kill('SIGKILL')
 * ```
 */
export function startSquizzle(args: string[], options: CliOptions): ChildProcess {
  const stdio = ['ignore', 'pipe', 'pipe'] as const
  return spawn(process.execPath, [binPath, ...args], { cwd: options.cwd, env: cliEnv(options.env), stdio: [...stdio] })
}

/**
 * The environment every CLI run gets, in or out of process. Builds replay on the test
 * server (a fresh database each, much faster than an embedded server per build) unless
 * the test sets SQUIZZLE_DEV_URL itself ('' for the embedded default).
 */
export function cliEnv(env: Record<string, string> = {}): Record<string, string> {
  const base = { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp', NO_COLOR: '1' }
  return { ...base, SQUIZZLE_DEV_URL: inject('postgresUrl'), ...env }
}

/** Waits for a started process and gathers its output. */
export function collect(child: ChildProcess): Promise<CliResult> {
  let stdout = ''
  let stderr = ''
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()))
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()))
  return new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }))
  })
}
