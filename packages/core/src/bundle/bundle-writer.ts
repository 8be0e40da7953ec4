import { createReadStream } from 'node:fs'
import { Readable, Transform, type TransformCallback } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { createGzip, constants as zlibConstants } from 'node:zlib'
import tar from 'tar-stream'

/** One file to put in a bundle: its bundle path and where its bytes come from. */
export interface BundleEntry {
  /** Bundle path, e.g. `migrations/001_users.sql`. */
  path: string
  size: number
  /** The bytes, or a file on disk to stream from. */
  source: Uint8Array | { file: string }
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
      const header = { name: entry.path, size: entry.size, mode: 0o644, mtime, uid: 0, gid: 0, uname: '', gname: '', type: 'file' as const }
      if (entry.source instanceof Uint8Array) {
        await new Promise<void>((resolve, reject) => {
          pack.entry(header, Buffer.from(entry.source as Uint8Array), (err) => (err ? reject(err) : resolve()))
        })
      } else {
        await pipeline(createReadStream(entry.source.file), pack.entry(header))
      }
    }
    pack.finalize()
  }
  fill().catch((err: unknown) => pack.destroy(err as Error))
  const gzip = createGzip({ level: 9, memLevel: 9, strategy: zlibConstants.Z_DEFAULT_STRATEGY })
  const out = pack.pipe(gzip).pipe(new FixedGzipHeader())
  pack.on('error', (err) => out.destroy(err))
  return out
}

/** `SOURCE_DATE_EPOCH` as seconds, or 0. */
export function sourceDateEpoch(): number {
  const raw = process.env['SOURCE_DATE_EPOCH']
  const value = raw === undefined ? 0 : Number(raw)
  return Number.isInteger(value) && value >= 0 ? value : 0
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
