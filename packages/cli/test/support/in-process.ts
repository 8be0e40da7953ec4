import { Writable } from 'node:stream'
import { main } from '../../src/main.js'
import type { CliResult } from './cli-process.js'
import { watchRun } from './run-leaks.js'

/** Collects what the CLI writes to one of its streams. */
class Capture extends Writable {
  private readonly chunks: Buffer[] = []

  override _write(chunk: Buffer | string, encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.chunks.push(typeof chunk === 'string' ? Buffer.from(chunk, encoding) : chunk)
    done()
  }

  text(): string {
    return Buffer.concat(this.chunks).toString('utf8')
  }
}

/**
 * Runs the CLI's `main()` in this process, as bin.js would run it in its own:
 * `env` and `cwd` as given (never this process's), no terminal, output captured.
 * Fails the run when it leaves behind what would keep a real process alive, or
 * what would pile up over many runs (see run-leaks.ts).
 *
 * @example
 * ```ts
 * const r = await squizzleInProcess(['list', '--json'], { cwd, env: cliEnv() })
 * ```
 */
export async function squizzleInProcess(
  args: string[],
  options: { cwd: string; env: Record<string, string> },
): Promise<CliResult> {
  const stdout = new Capture()
  const stderr = new Capture()
  const io = { stdout, stderr, env: { ...options.env }, cwd: options.cwd, isTTY: false }
  const code = await watchRun(`squizzle ${args.join(' ')}`, () => main(args, io))
  return { code, signal: null, stdout: stdout.text(), stderr: stderr.text() }
}
