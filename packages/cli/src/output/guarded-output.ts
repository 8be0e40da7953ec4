import type { Writable } from 'node:stream'

/**
 * A stream the CLI writes to that never crashes it. When the reader goes away
 * (`squizzle drift | head`: EPIPE), writing stops quietly and the command ends
 * with its usual exit code. Any other write error also stops writing and is kept
 * in `failure`, so the CLI can fail instead of pretending its output arrived.
 */
export class GuardedOutput {
  failure: Error | undefined
  private broken = false

  constructor(private readonly stream: Writable) {
    stream.on('error', (err: Error) => this.fail(err))
  }

  write(text: string): void {
    if (this.broken || this.stream.destroyed) return
    try {
      this.stream.write(text)
    } catch (err) {
      this.fail(err as Error)
    }
  }

  private fail(err: Error): void {
    this.broken = true
    const code = (err as { code?: unknown }).code
    if (code !== 'EPIPE' && code !== 'ERR_STREAM_DESTROYED') this.failure ??= err
  }
}

const guards = new WeakMap<Writable, GuardedOutput>()

/**
 * The one guard of `stream` (created on first use, so a stream gets one error listener).
 *
 * @example
 * ```ts
 * guardedOutput(process.stdout).write('done\n')
 * ```
 */
export function guardedOutput(stream: Writable): GuardedOutput {
  let guard = guards.get(stream)
  if (!guard) {
    guard = new GuardedOutput(stream)
    guards.set(stream, guard)
  }
  return guard
}
