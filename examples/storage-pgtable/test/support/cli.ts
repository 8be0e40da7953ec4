import { execFile } from 'node:child_process'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { inject } from 'vitest'

/** The built `squizzle` binary of the workspace's @squizzle/cli (a devDependency of this package). */
export const squizzleBin = join(
  dirname(createRequire(import.meta.url).resolve('@squizzle/cli/package.json')),
  'dist/bin.js',
)

export interface RunResult {
  code: number
  stdout: string
  stderr: string
}

/**
 * Runs a program with an argument list (never a shell string); resolves with its exit code.
 *
 * @example
 * ```ts
 * const r = await runProgram('npm', ['--version'], { cwd: '/tmp' })
 * ```
 */
export function runProgram(
  file: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<RunResult> {
  return new Promise((resolve) => {
    const settings = {
      cwd: options.cwd,
      env: options.env,
      timeout: options.timeoutMs ?? 300_000,
      maxBuffer: 64 * 1024 * 1024,
    }
    execFile(file, args, settings, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0
      resolve({
        code,
        stdout: String(stdout),
        stderr: String(stderr) + (err && typeof err.code !== 'number' ? err.message : ''),
      })
    })
  })
}

/**
 * `squizzle <args>` in `cwd`, as a user's shell runs it: a clean environment plus `env`.
 * Builds replay their snapshot on the test server (SQUIZZLE_DEV_URL), not on an embedded one.
 *
 * @example
 * ```ts
 * const r = await squizzle(['list', '--json'], { cwd: project, env: { DATABASE_URL: url } })
 * ```
 */
export function squizzle(args: string[], options: { cwd: string; env?: Record<string, string> }): Promise<RunResult> {
  const env = {
    PATH: process.env['PATH'] ?? '',
    HOME: process.env['HOME'] ?? '/tmp',
    NO_COLOR: '1',
    SQUIZZLE_DEV_URL: inject('postgresUrl'),
  }
  return runProgram(process.execPath, [squizzleBin, ...args], { cwd: options.cwd, env: { ...env, ...options.env } })
}
