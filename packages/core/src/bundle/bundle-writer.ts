import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { Readable, Transform, type TransformCallback } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { createGzip, constants as zlibConstants } from 'node:zlib'
import tar from 'tar-stream'
import { isSquizzleError, SquizzleError } from '../errors/squizzle-error.js'

/** One file to put in a bundle: its bundle path and where its bytes come from. */
export interface BundleEntry {
  /** Bundle path, e.g. `migrations/001_users.sql`. */
  path: string
  size: number
  /** The bytes, or a file on disk to stream from. */
  source: Uint8Array | { file: string }
  /** Expected SHA-256 (hex): when given, bytes that differ (a file edited mid-build) fail the bundle. */
  sha256?: string
}

export interface WriteBundleOptions {
  /** Seconds since the epoch for every entry; default `SOURCE_DATE_EPOCH` or 0. */
  mtime?: number
}

/**
 * Writes a reproducible gzip-compressed tar of `entries`, in the order given
 * (callers pass run order). Same entries in, same bytes out: fixed mtime,
 * uid/gid 0, no user names, mode 0644, gzip header without name or time.
 *
 * @example
 * ```ts
 * const stream = writeBundle([{ path: 'migrations/001.sql', size: 9, source: Buffer.from('SELECT 1;') }])
 * await pipeline(stream, createWriteStream('bundle.tar.gz'))
 * ```
 */
export function writeBundle(entries: readonly BundleEntry[], options: WriteBundleOptions = {}): Readable {
  const mtime = new Date((options.mtime ?? sourceDateEpoch()) * 1000)
  const pack = tar.pack()
  const fill = async (): Promise<void> => {
    for (const entry of entries) {
      const header = {
        name: entry.path,
        size: entry.size,
        mode: 0o644,
        mtime,
        uid: 0,
        gid: 0,
        uname: '',
        gname: '',
        type: 'file' as const,
      }
      const check = new EntryCheck(entry)
      if (entry.source instanceof Uint8Array) {
        const bytes = Buffer.from(entry.source)
        check.update(bytes)
        check.end()
        await new Promise<void>((resolve, reject) => {
          pack.entry(header, bytes, (err) => (err ? reject(err) : resolve()))
        })
      } else {
        await pipeline(createReadStream(entry.source.file), check.stream(), pack.entry(header))
      }
    }
    pack.finalize()
  }
  fill().catch((err: unknown) =>
    pack.destroy(isSquizzleError(err) ? err : changed(String((err as Error).message ?? err), err)),
  )
  const gzip = createGzip({ level: 9, memLevel: 9, strategy: zlibConstants.Z_DEFAULT_STRATEGY })
  const out = pack.pipe(gzip).pipe(new FixedGzipHeader())
  pack.on('error', (err) => out.destroy(err))
  return out
}

/**
 * `SOURCE_DATE_EPOCH` of `env` (default `process.env`) as seconds, or 0: the mtime of every bundle entry.
 *
 * @example
 * ```ts
 * sourceDateEpoch({ SOURCE_DATE_EPOCH: '1700000000' }) // 1700000000
 * sourceDateEpoch({}) // 0
 * ```
 */
export function sourceDateEpoch(env: Readonly<Record<string, string | undefined>> = process.env): number {
  const raw = env['SOURCE_DATE_EPOCH']
  const value = raw === undefined ? 0 : Number(raw)
  return Number.isInteger(value) && value >= 0 ? value : 0
}

/** Checks an entry's bytes against its declared size and SHA-256 as they pass. */
class EntryCheck {
  private readonly hash = createHash('sha256')
  private seen = 0
  constructor(private readonly entry: BundleEntry) {}

  update(chunk: Buffer): void {
    this.seen += chunk.length
    if (this.entry.sha256) this.hash.update(chunk)
    if (this.seen > this.entry.size)
      throw changed(`${this.entry.path} is larger than the ${this.entry.size} bytes it was built with`)
  }

  end(): void {
    if (this.seen !== this.entry.size)
      throw changed(`${this.entry.path} is ${this.seen} bytes, not the ${this.entry.size} it was built with`)
    if (this.entry.sha256 && this.hash.digest('hex') !== this.entry.sha256)
      throw changed(`${this.entry.path} changed while the bundle was being written`)
  }

  stream(): Transform {
    return new Transform({
      transform: (chunk: Buffer, _enc: BufferEncoding, callback: TransformCallback) => {
        try {
          this.update(chunk)
          callback(null, chunk)
        } catch (err) {
          callback(err as Error)
        }
      },
      flush: (callback: TransformCallback) => {
        try {
          this.end()
          callback()
        } catch (err) {
          callback(err as Error)
        }
      },
    })
  }
}

function changed(message: string, cause?: unknown): SquizzleError {
  return new SquizzleError('BUNDLE_CORRUPT', message, {
    hint: 'A source file changed while the bundle was written. Build again, and do not edit migration files during a build.',
    ...(cause === undefined ? {} : { cause }),
  })
}

/** Sets the gzip header's OS byte to 255 ("unknown") so output does not depend on the platform. */
class FixedGzipHeader extends Transform {
  private seen = 0
  override _transform(chunk: Buffer, _enc: BufferEncoding, callback: TransformCallback): void {
    if (this.seen <= 9 && this.seen + chunk.length > 9) {
      chunk = Buffer.from(chunk)
      chunk[9 - this.seen] = 255
    }
    this.seen += chunk.length
    callback(null, chunk)
  }
}
