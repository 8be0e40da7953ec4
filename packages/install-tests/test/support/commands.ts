import { execFile } from 'node:child_process'

export interface CommandResult {
  code: number
  stdout: string
  stderr: string
}

/**
 * Runs a program with an argument list (never a shell string) and gathers its output;
 * resolves with the exit code instead of throwing, so tests can show what went wrong.
 *
 * @example
 * ```ts
 * const r = await runCommand('npm', ['--version'], { cwd: '/tmp' })
 * ```
 */
export function runCommand(
  file: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      {
        cwd: options.cwd,
        env: options.env ?? process.env,
        timeout: options.timeoutMs ?? 600_000,
        maxBuffer: 64 * 1024 * 1024,
      },
      (err, stdout, stderr) => {
        const code = err
          ? typeof (err as { code?: unknown }).code === 'number'
            ? (err as { code: number }).code
            : 1
          : 0
        resolve({
          code,
          stdout: String(stdout),
          stderr: String(stderr) + (err && code === 1 && !stderr ? err.message : ''),
        })
      },
    )
  })
}

/**
 * The environment for plain npm, as a user's shell would have it: the `npm_*` variables a
 * parent `pnpm run` sets (user agent, workspace settings) are dropped, except the ones that
 * say where and how to reach a registry.
 *
 * @example
 * ```ts
 * await runCommand('npm', ['install'], { cwd, env: plainNpmEnv() })
 * ```
 */
export function plainNpmEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const keep = /^npm_config_(registry|cache|userconfig|proxy|https_proxy|noproxy|strict_ssl|cafile)$/i
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(npm|pnpm)_/i.test(key) && !keep.test(key)) continue
    env[key] = value
  }
  return { ...env, ...extra }
}

/**
 * How to run pnpm: the one running this test (`pnpm test` sets npm_execpath), else `npx -y pnpm@10`
 * from npx's cache when it is there (packing must work without a registry).
 *
 * @example
 * ```ts
 * const [cmd, ...args] = pnpmCommand('pack')
 * ```
 */
export function pnpmCommand(...args: string[]): [string, ...string[]] {
  const execPath = process.env['npm_execpath']
  if (execPath && /pnpm/i.test(execPath)) return [process.execPath, execPath, ...args]
  return ['npx', '--prefer-offline', '-y', 'pnpm@10', ...args]
}
