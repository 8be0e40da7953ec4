import type { IncomingMessage } from 'node:http'
import type { Readable } from 'node:stream'
import { watchBody } from './watched-body.js'

/**
 * A response whose body is a Node stream, watched for stalls and cuts (see
 * `watchBody`); unread bodies must be {@link HttpResponse.discard}ed to free the connection.
 */
export class HttpResponse {
  readonly headers: { get(name: string): string | null }
  /** Watched from the moment the headers arrive: a body cut off before anyone reads it is still noticed. */
  private readonly watched: Readable

  constructor(
    readonly message: IncomingMessage,
    private readonly method: string,
    idleTimeoutMs: number,
  ) {
    this.watched = watchBody(message, idleTimeoutMs)
    this.headers = {
      get: (name) => {
        const value = message.headers[name.toLowerCase()]
        return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value
      },
    }
  }

  get status(): number {
    return this.message.statusCode ?? 0
  }

  get ok(): boolean {
    return this.status >= 200 && this.status < 300
  }

  get statusText(): string {
    return this.message.statusMessage ?? ''
  }

  /** The body, streamed; fails with `BodyInterrupted` when it stalls or is cut off. */
  get body(): Readable {
    return this.watched
  }

  /** Reads the body as text, at most `maxBytes` (the rest is dropped). */
  async text(maxBytes = 4 * 1024 * 1024): Promise<string> {
    const chunks: Buffer[] = []
    let size = 0
    const body = this.body
    for await (const chunk of body as AsyncIterable<Buffer>) {
      chunks.push(chunk)
      size += chunk.length
      if (size > maxBytes) {
        body.destroy()
        break
      }
    }
    return Buffer.concat(chunks).subarray(0, maxBytes).toString('utf8')
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text())
  }

  /** Drops the body: small ones are drained so the connection is reused, large ones cut. */
  async discard(): Promise<void> {
    // Through the watched body: a small body that stalls while drained ends on the idle timeout, not never.
    const stream = this.watched
    if (stream.readableEnded || stream.destroyed) return
    const length = Number(this.headers.get('content-length') ?? Number.NaN)
    const bodiless = this.method === 'HEAD' || this.status === 204 || this.status === 304
    if (bodiless || (Number.isFinite(length) && length <= 64 * 1024)) {
      // A body that breaks while it is drained is dropped all the same.
      stream.on('error', () => undefined)
      stream.resume()
      await new Promise<void>((resolve) => {
        stream.once('end', resolve)
        stream.once('close', resolve)
      })
    } else {
      stream.destroy()
    }
  }
}
