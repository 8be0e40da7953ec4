import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { inject } from 'vitest'

/** The built CLI entry point: tests run the real binary in a real process. */
export const binPath = fileURLToPath(new URL('../../dist/bin.js', import.meta.url))

export interface CliResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

/**
 * Runs `squizzle <args>` in `cwd` with `env` added to a clean environment.
 *
 * @example
 * ```ts
 * const r = await squizzle(['status', '--json'], { cwd, env: { DATABASE_URL: url } })
 * ```
 */
export function squizzle(args: string[], options: { cwd: string; env?: Record<string, string> }): Promise<CliResult> {
  return collect(startSquizzle(args, options))
}

/**
 * Starts the CLI without waiting, for concurrency and kill tests. Builds replay on
 * the test server (a fresh database each, much faster than an embedded server per
 * build) unless the test sets SQUIZZLE_DEV_URL itself ('' for the embedded default).
 */
export function startSquizzle(args: string[], options: { cwd: string; env?: Record<string, string> }): ChildProcess {
  return spawn(process.execPath, [binPath, ...args], {
    cwd: options.cwd,
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp', NO_COLOR: '1', SQUIZZLE_DEV_URL: inject('postgresUrl'), ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
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
