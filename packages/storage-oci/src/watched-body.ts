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
    super(kind === 'stalled' ? `nothing received for ${idleTimeoutMs} ms after ${received} bytes` : `connection closed after ${received} bytes`, { cause })
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
  const queue: Buffer[] = []
  let queued = 0
  let received = 0
  let waiting = false
  let ended = false
  let failure: BodyInterrupted | undefined
  let timer: NodeJS.Timeout | undefined
  const quiet = () => {
    clearTimeout(timer)
    timer = undefined
  }
  /** Hands queued bytes to the reader; then the failure, the end, or a wait for more (on the idle clock). */
  const drain = () => {
    while (queue.length > 0) {
      const chunk = queue.shift()!
      queued -= chunk.length
      if (!out.push(chunk)) return
    }
    if (failure) return void out.destroy(failure)
    if (ended) return void out.push(null)
    message.resume()
    waiting = true
    timer ??= setTimeout(() => fail(new BodyInterrupted('stalled', received, idleTimeoutMs)), idleTimeoutMs)
  }
  const out = new Readable({
    highWaterMark: readAheadBytes,
    read: drain,
    destroy(err, callback) {
      quiet()
      if (!message.readableEnded) message.destroy()
      callback(err)
    },
  })
  // Readers see the error through the stream's state; this listener only keeps it from being "unhandled".
  out.on('error', () => undefined)
  // Something arrived (bytes, the end, a failure): a reader that waits gets it now, others on their next read.
  const deliver = () => {
    if (!waiting) return
    waiting = false
    quiet()
    drain()
  }
  const fail = (err: BodyInterrupted) => {
    failure ??= err
    message.destroy()
    deliver()
  }
  message.on('data', (chunk: Buffer) => {
    received += chunk.length
    queue.push(chunk)
    queued += chunk.length
    if (queued >= readAheadBytes) message.pause()
    deliver()
  })
  message.once('end', () => {
    ended = true
    deliver()
  })
  message.once('error', (cause) => fail(new BodyInterrupted('cut-off', received, idleTimeoutMs, cause)))
  message.once('close', () => {
    if (!message.complete) fail(new BodyInterrupted('cut-off', received, idleTimeoutMs))
  })
  // Broken before anyone watched: its events are gone.
  if (message.destroyed && !message.complete) failure = new BodyInterrupted('cut-off', 0, idleTimeoutMs)
  return out
}
