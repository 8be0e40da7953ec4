import type { IncomingMessage } from 'node:http'
import { Readable } from 'node:stream'

/**
 * A response body that ended before its end: `stalled` when nothing arrived for
 * the idle timeout while the reader waited for more, `cut-off` when the
 * connection broke. `received` says how far it got (a download resumes there).
 */
export class BodyInterrupted extends Error {
  constructor(
    readonly kind: 'stalled' | 'cut-off',
    readonly received: number,
    readonly idleTimeoutMs: number,
    cause?: unknown,
  ) {
    const why = kind === 'stalled' ? `nothing received for ${idleTimeoutMs} ms` : 'connection closed'
    super(`${why} after ${received} bytes`, { cause })
  }
}

/** Bytes read ahead of the reader before the socket is paused (Node's 16 KiB default stalls large downloads). */
const readAheadBytes = 1024 * 1024

/**
 * The body of `message` as a stream that fails with {@link BodyInterrupted}
 * instead of waiting for ever or ending silently short. Up to 1 MiB is read
 * ahead into a queue of its own, so bytes that arrived before a cut still reach
 * the reader, and only then the error. The idle clock runs only while the reader
 * waits with nothing queued: a slow reader (backpressure) never times the registry
 * out. A failure is reported to whoever reads (for-await, pipeline), never raised
 * as an unhandled error.
 *
 * @example
 * ```ts
 * const body = watchBody(message, 30_000)
 * ```
 */
export function watchBody(message: IncomingMessage, idleTimeoutMs: number): Readable {
  return new WatchedBody(message, idleTimeoutMs)
}

class WatchedBody extends Readable {
  private readonly queue: Buffer[] = []
  private queued = 0
  private received = 0
  /** The reader asked for more and has not been given any yet. */
  private waiting = false
  private ended = false
  private failure: BodyInterrupted | undefined
  private timer: NodeJS.Timeout | undefined

  constructor(
    private readonly message: IncomingMessage,
    private readonly idleTimeoutMs: number,
  ) {
    super({ highWaterMark: readAheadBytes })
    // Readers see the error through the stream's state; this listener only keeps it from being "unhandled".
    this.on('error', () => undefined)
    message.on('data', (chunk: Buffer) => this.enqueue(chunk))
    message.once('end', () => {
      this.ended = true
      this.deliver()
    })
    message.once('error', (cause) => this.fail('cut-off', cause))
    message.once('close', () => {
      if (!message.complete) this.fail('cut-off')
    })
    // Broken before anyone watched: its events are gone.
    if (message.destroyed && !message.complete) this.failure = new BodyInterrupted('cut-off', 0, idleTimeoutMs)
  }

  /** Hands queued bytes to the reader; then the failure, the end, or a wait for more on the idle clock. */
  override _read(): void {
    while (this.queue.length > 0) {
      const chunk = this.queue.shift()!
      this.queued -= chunk.length
      if (!this.push(chunk)) return
    }
    if (this.failure) return void this.destroy(this.failure)
    if (this.ended) return void this.push(null)
    this.message.resume()
    this.waiting = true
    this.timer ??= setTimeout(() => this.fail('stalled'), this.idleTimeoutMs)
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    this.quiet()
    if (!this.message.readableEnded) this.message.destroy()
    callback(err)
  }

  private enqueue(chunk: Buffer): void {
    this.received += chunk.length
    if (this.waiting && this.queue.length === 0) {
      // The reader waits: hand the chunk over at once; the idle clock restarts, or stops if the reader is full.
      if (this.push(chunk)) return void this.timer?.refresh()
      this.waiting = false
      return this.quiet()
    }
    this.queue.push(chunk)
    this.queued += chunk.length
    if (this.queued >= readAheadBytes) this.message.pause()
    this.deliver()
  }

  private fail(kind: BodyInterrupted['kind'], cause?: unknown): void {
    this.failure ??= new BodyInterrupted(kind, this.received, this.idleTimeoutMs, cause)
    this.message.destroy()
    this.deliver()
  }

  /** Something arrived (bytes, the end, a failure): a reader that waits gets it now, others on their next read. */
  private deliver(): void {
    if (!this.waiting) return
    this.waiting = false
    this.quiet()
    this._read()
  }

  private quiet(): void {
    clearTimeout(this.timer)
    this.timer = undefined
  }
}
