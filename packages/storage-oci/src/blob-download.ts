import { createHash } from 'node:crypto'
import { Readable } from 'node:stream'
import { type Descriptor } from '@squizzle/core'
import { digestMismatch } from '@squizzle/core/oci'
import { openAt, transit, where, type OpenedBlob } from './blob-range.js'
import type { RegistryClient } from './registry-client.js'
import { interruptedError } from './registry-errors.js'
import { backoffDelay } from './retry-policy.js'
import { BodyInterrupted } from './watched-body.js'

/**
 * Opens a blob for reading, in constant memory. A body that is cut off or stalls
 * is resumed where it stopped with a `Range` request (a registry that ignores the
 * range sends the whole blob again, and the part already read is skipped); each
 * resume is an attempt of the retry policy, whose attempts and time budget restart
 * whenever bytes arrive. The bytes are hashed as they pass: content that does not
 * match the descriptor fails the stream with `DIGEST_MISMATCH` (detected in
 * transit, naming registry, repository and operation) before it ends. A stall
 * that cannot be resumed is `REGISTRY_TIMEOUT`, a cut `REGISTRY_UNAVAILABLE`.
 *
 * @example
 * ```ts
 * const stream = await downloadBlob(client, layer)
 * ```
 */
export async function downloadBlob(client: RegistryClient, desc: Descriptor): Promise<Readable> {
  const action = `download blob ${desc.digest}`
  return new BlobDownload(client, desc, action, await openAt(client, desc, 0, action))
}

/** The bytes of one blob across as many responses as it takes, verified as they pass. */
class BlobDownload extends Readable {
  private readonly hash = createHash('sha256')
  private received = 0
  private body: Readable | undefined
  private skip = 0
  private attempt = 1
  /** When bytes last arrived and in which attempt: the retry budget counts from there. */
  private progress = { at: Date.now(), attempt: 1 }
  private retryTimer: NodeJS.Timeout | undefined

  constructor(
    private readonly client: RegistryClient,
    private readonly desc: Descriptor,
    private readonly action: string,
    first: OpenedBlob,
  ) {
    // Up to 1 MiB may wait for the reader (Node's 16 KiB default stalls large downloads).
    super({ highWaterMark: 1024 * 1024 })
    // Bytes flow in before anyone reads: a failure then waits in the stream's state for the reader
    // (for-await and pipeline report it), instead of being raised as an unhandled 'error'.
    this.on('error', () => undefined)
    this.follow(first)
  }

  override _read(): void {
    this.body?.resume()
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    clearTimeout(this.retryTimer)
    this.body?.destroy()
    callback(err)
  }

  private follow(opened: OpenedBlob): void {
    const body = opened.res.body
    this.body = body
    this.skip = opened.skip
    body.on('data', (chunk: Buffer) => this.accept(chunk))
    body.once('end', () => this.finish())
    body.once('error', (err) => this.interrupted(err))
  }

  private accept(chunk: Buffer): void {
    // A registry that ignored `Range` sends again what the reader already has.
    const dropped = Math.min(this.skip, chunk.length)
    this.skip -= dropped
    const fresh = dropped === 0 ? chunk : chunk.subarray(dropped)
    if (fresh.length === 0) return
    this.received += fresh.length
    this.progress = { at: Date.now(), attempt: this.attempt }
    if (this.received > this.desc.size) return void this.destroy(this.mismatch('unknown (more bytes than expected)'))
    this.hash.update(fresh)
    if (!this.push(fresh)) this.body?.pause()
  }

  private finish(): void {
    const actual = `sha256:${this.hash.digest('hex')}`
    if (this.received === this.desc.size && actual === this.desc.digest) this.push(null)
    else this.destroy(this.mismatch(actual))
  }

  /** A body stalled or broke: resume where it stopped while the retry budget allows, else fail typed. */
  private interrupted(err: unknown): void {
    if (this.destroyed) return
    if (!(err instanceof BodyInterrupted)) return void this.destroy(err as Error)
    // Every byte arrived and only the end of the response was lost: nothing to resume.
    if (this.received === this.desc.size) return this.finish()
    const { maxAttempts, maxElapsedMs } = this.client.policy
    const tries = this.attempt - this.progress.attempt + 1
    const delay = backoffDelay(this.client.policy, tries)
    if (tries >= maxAttempts || Date.now() + delay - this.progress.at > maxElapsedMs) {
      const interruption = new BodyInterrupted(err.kind, this.received, err.idleTimeoutMs, err)
      const op = this.client.op(this.action)
      return void this.destroy(interruptedError(interruption, op, this.desc.size, this.attempt))
    }
    this.retryTimer = setTimeout(() => this.reopen(), delay)
  }

  private reopen(): void {
    openAt(this.client, this.desc, this.received, this.action).then(
      (opened) => {
        if (this.destroyed) return void opened.res.discard()
        this.attempt += 1
        this.follow(opened)
        if (this.isPaused() || this.readableLength >= this.readableHighWaterMark) opened.res.body.pause()
      },
      (err: unknown) => this.destroy(err as Error),
    )
  }

  private mismatch(actual: string): Error {
    const { client, desc, action } = this
    return digestMismatch(`${action} from ${where(client)}`, desc, actual, this.received, transit(client, action))
  }
}
