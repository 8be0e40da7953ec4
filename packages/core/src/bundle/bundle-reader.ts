import { createHash } from 'node:crypto'
import { Transform, type Readable, type TransformCallback } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { createGunzip } from 'node:zlib'
import tar from 'tar-stream'
import { isSquizzleError, SquizzleError } from '../errors/squizzle-error.js'
import type { Manifest, ManifestFile } from '../manifest/manifest.js'
import { defaultBundleLimits, type BundleLimits } from './limits.js'

export interface ReadBundleOptions {
  limits?: Partial<BundleLimits>
  /**
   * Called with each file's verified bytes, in bundle order; the next entry is
   * read only after it resolves. Without it, files are hashed and dropped, so
   * memory stays constant whatever the bundle's size.
   */
  onFile?: (file: ManifestFile, content: Buffer) => Promise<void> | void
}

/** A verified file of a bundle. */
export interface BundleFile {
  file: ManifestFile
  /** The file's bytes, verified against the manifest's SHA-256. */
  content: Buffer
}

/**
 * Streams a bundle and checks every byte against its manifest: only regular
 * files, only listed paths, in manifest order, no duplicates, sizes and SHA-256
 * as listed, within limits. Throws a typed error on the first problem.
 *
 * @example
 * ```ts
 * await readBundle(createReadStream('bundle.tar.gz'), manifest, {
 *   onFile: async (file, sql) => console.log(file.path, sql.length),
 * })
 * ```
 */
export async function readBundle(source: Readable, manifest: Manifest, options: ReadBundleOptions = {}): Promise<void> {
  const { onFile } = options
  for await (const { file, content } of bundleFiles(source, manifest, {
    limits: options.limits,
    keepContent: onFile !== undefined,
  })) {
    if (onFile) await onFile(file, content)
  }
}

/**
 * Yields a bundle's files one at a time, each verified before it is yielded,
 * with the same checks as {@link readBundle}. Only one file is in memory at a
 * time; the next is read when the caller asks for it. The generator throws at
 * the end when files are missing or the stream fails.
 *
 * @example
 * ```ts
 * for await (const { file, content } of bundleFiles(pulled.open(), pulled.manifest)) {
 *   await driver.transaction((tx) => tx.run({ version, path: file.path, script: content.toString() }))
 * }
 * ```
 */
export async function* bundleFiles(
  source: Readable,
  manifest: Manifest,
  options: { limits?: Partial<BundleLimits> | undefined; keepContent?: boolean } = {},
): AsyncGenerator<BundleFile, void, undefined> {
  const keep = options.keepContent ?? true
  for await (const entry of bundleEntries(source, manifest, options.limits, () => false, keep)) {
    yield { file: entry.file, content: entry.content ?? Buffer.alloc(0) }
  }
}

/**
 * A file of a bundle read by {@link streamingBundleFiles}: its verified bytes, or for
 * a file it was asked to stream, its bytes in pieces as they come (`content` null).
 */
export type StreamingBundleFile = BundleFile | StreamedBundleFile

/**
 * A file whose bytes come in pieces: every byte was verified when the bundle was
 * verified before; read again here, the pieces are hashed as they go and the
 * iteration throws `DIGEST_MISMATCH` after the last one when they differ from the
 * manifest, so whoever runs them must not commit before it has ended.
 */
export interface StreamedBundleFile {
  file: ManifestFile
  content: null
  bytes: AsyncIterable<Buffer>
}

/**
 * {@link bundleFiles}, except that files `stream(file)` picks come as pieces (see
 * {@link StreamedBundleFile}): memory stays at a piece whatever their size. A
 * streamed file not read to its end is read (and checked) before the next one.
 *
 * @example
 * ```ts
 * for await (const f of streamingBundleFiles(pulled.open(), manifest, (f) => f.size > 8 << 20)) {
 *   for await (const piece of f.content === null ? f.bytes : [f.content]) process.stdout.write(piece)
 * }
 * ```
 */
export async function* streamingBundleFiles(
  source: Readable,
  manifest: Manifest,
  stream: (file: ManifestFile) => boolean,
  options: { limits?: Partial<BundleLimits> | undefined } = {},
): AsyncGenerator<StreamingBundleFile, void, undefined> {
  for await (const entry of bundleEntries(source, manifest, options.limits, stream, true)) {
    yield entry.bytes
      ? { file: entry.file, content: null, bytes: entry.bytes }
      : { file: entry.file, content: entry.content! }
  }
}

/** One entry as {@link bundleEntries} reads it. */
interface Entry {
  file: ManifestFile
  content: Buffer | undefined
  bytes: AsyncIterable<Buffer> | undefined
}

async function* bundleEntries(
  source: Readable,
  manifest: Manifest,
  limitOptions: Partial<BundleLimits> | undefined,
  stream: (file: ManifestFile) => boolean,
  keep: boolean,
): AsyncGenerator<Entry, void, undefined> {
  const limits = { ...defaultBundleLimits, ...limitOptions }
  const { extract, failed } = unpack(source, manifest, limits)
  let finished = false
  try {
    yield* checkedEntries(extract, manifest.files, limits, stream, keep)
    finished = true
  } catch (err) {
    source.destroy()
    extract.destroy()
    // When the stream itself failed first (a limit, bad gzip), that error is the real cause.
    const streamError = await Promise.race([failed, Promise.resolve(undefined)])
    throw translate(streamError ?? err)
  } finally {
    if (!finished) {
      source.destroy()
      extract.destroy()
    }
  }
  const streamError = await failed
  if (streamError !== undefined) throw translate(streamError)
}

/** Each tar entry checked against the manifest's next file, streamed verified or read whole; all of them. */
async function* checkedEntries(
  extract: ReturnType<typeof unpack>['extract'],
  expected: readonly ManifestFile[],
  limits: BundleLimits,
  stream: (file: ManifestFile) => boolean,
  keep: boolean,
): AsyncGenerator<Entry, void, undefined> {
  let index = 0
  for await (const entry of extract) {
    const file = checkEntry(entry.header, expected, index, limits)
    index++
    if (stream(file)) {
      const pieces = new VerifiedPieces(entry as AsyncIterable<Buffer>, file)
      yield { file, content: undefined, bytes: pieces }
      await pieces.drain()
    } else {
      yield { file, content: await readEntry(entry as AsyncIterable<Buffer>, file, keep), bytes: undefined }
    }
  }
  if (index !== expected.length) {
    const message = `bundle ends after ${index} of ${expected.length} files; missing ${expected[index]?.path}`
    throw unsafe('BUNDLE_CORRUPT', message)
  }
}

/** An entry's bytes as they come, hashed on the way; the end checks them against the manifest. */
class VerifiedPieces implements AsyncIterable<Buffer> {
  private readonly hash = createHash('sha256')
  private readonly chunks: AsyncIterator<Buffer>
  private done = false

  constructor(
    entry: AsyncIterable<Buffer>,
    private readonly file: ManifestFile,
  ) {
    this.chunks = entry[Symbol.asyncIterator]()
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Buffer, void, undefined> {
    for (let next = await this.next(); next !== null; next = await this.next()) yield next
  }

  /** Reads (and checks) what the reader left. */
  async drain(): Promise<void> {
    while ((await this.next()) !== null);
  }

  private async next(): Promise<Buffer | null> {
    if (this.done) return null
    const next = await this.chunks.next()
    if (!next.done) {
      this.hash.update(next.value)
      return next.value
    }
    this.done = true
    checkDigest(this.file, this.hash.digest('hex'))
    return null
  }
}

/** The tar entries of the gzipped `source`, counted against the limits; `failed` settles with the stream's error. */
function unpack(source: Readable, manifest: Manifest, limits: BundleLimits) {
  const counter = new ByteCounter(limits, declaredTarBytes(manifest))
  const extract = tar.extract()
  const gunzip = createGunzip({ chunkSize: 256 * 1024 })
  const failed = pipeline(source, counter.compressed, gunzip, counter.decompressed, extract).then(
    () => undefined,
    (err: unknown) => err,
  )
  return { extract, failed }
}

/** Reads one entry, checking its bytes against the manifest; its content when `keep`. */
async function readEntry(entry: AsyncIterable<Buffer>, file: ManifestFile, keep: boolean): Promise<Buffer | undefined> {
  const hash = createHash('sha256')
  // One buffer of the announced size (checked against the manifest before), so a
  // file costs its size in memory once, not twice as chunks plus a concatenation.
  const content = keep ? Buffer.allocUnsafe(file.size) : undefined
  let filled = 0
  for await (const chunk of entry) {
    hash.update(chunk)
    if (content) {
      if (filled + chunk.length > content.length) {
        throw unsafe('BUNDLE_CORRUPT', `entry ${file.path} holds more bytes than its header says`)
      }
      chunk.copy(content, filled)
    }
    filled += chunk.length
  }
  checkDigest(file, hash.digest('hex'))
  return content
}

function checkDigest(file: ManifestFile, digest: string): void {
  if (digest === file.sha256) return
  throw new SquizzleError('DIGEST_MISMATCH', `${file.path}: SHA-256 is ${digest}, the manifest says ${file.sha256}`, {
    hint:
      'The bundle was altered after it was built. Do not apply it; rebuild or restore the version from a ' +
      'trusted copy.',
    details: { path: file.path, expected: file.sha256, actual: digest },
  })
}

function checkEntry(
  header: tar.Header,
  expected: readonly ManifestFile[],
  index: number,
  limits: BundleLimits,
): ManifestFile {
  if (index >= limits.maxFiles) throw unsafe('BUNDLE_LIMIT_EXCEEDED', `more than ${limits.maxFiles} entries`)
  checkEntryName(header.name)
  if (header.type !== 'file') {
    throw unsafe(
      'BUNDLE_UNSAFE',
      `entry ${header.name} is a ${header.type ?? 'special entry'}, only regular files are allowed`,
    )
  }
  const file = expected[index]
  if (!file || file.path !== header.name) {
    const listed = expected.some((f) => f.path === header.name)
    throw unsafe(
      'BUNDLE_UNSAFE',
      listed
        ? `entry ${header.name} is duplicated or out of order`
        : `entry ${header.name} is not listed in the manifest`,
    )
  }
  if (header.size !== file.size)
    throw unsafe('BUNDLE_CORRUPT', `entry ${file.path} is ${header.size} bytes, the manifest says ${file.size}`)
  if (file.size > limits.maxFileBytes)
    throw unsafe('BUNDLE_LIMIT_EXCEEDED', `entry ${file.path} is larger than ${limits.maxFileBytes} bytes`)
  return file
}

function checkEntryName(name: string): void {
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name))
    throw unsafe('BUNDLE_UNSAFE', `entry ${name} has an absolute path`)
  if (name.includes('\\') || name.includes('\0'))
    throw unsafe('BUNDLE_UNSAFE', `entry ${JSON.stringify(name)} has a forbidden character`)
  if (name.split('/').some((part) => part === '..' || part === '.' || part === '')) {
    throw unsafe('BUNDLE_UNSAFE', `entry ${name} has a relative or empty path segment`)
  }
}

function unsafe(code: 'BUNDLE_UNSAFE' | 'BUNDLE_CORRUPT' | 'BUNDLE_LIMIT_EXCEEDED', message: string): SquizzleError {
  return new SquizzleError(code, `bundle refused: ${message}`, {
    hint: 'Do not apply this bundle. Rebuild the version or restore it from a trusted copy.',
  })
}

/** Turns stream-level failures (bad gzip, bad tar) into typed errors; typed errors pass through. */
function translate(err: unknown): unknown {
  if (isSquizzleError(err)) return err
  const message = err instanceof Error ? err.message : String(err)
  return new SquizzleError('BUNDLE_CORRUPT', `bundle could not be read: ${message}`, {
    hint: 'The bundle is truncated or not a gzip-compressed tar. Pull it again or restore it from a trusted copy.',
    cause: err,
  })
}

/** Counts compressed and decompressed bytes and stops the stream past the limits. */
class ByteCounter {
  private inBytes = 0
  private outBytes = 0
  readonly compressed: Transform
  readonly decompressed: Transform

  constructor(limits: BundleLimits, declared: number) {
    this.compressed = passThrough((n) => {
      this.inBytes += n
      if (this.inBytes > limits.maxBundleBytes)
        return unsafe('BUNDLE_LIMIT_EXCEEDED', `bundle is larger than ${limits.maxBundleBytes} bytes`)
      return undefined
    })
    this.decompressed = passThrough((n) => {
      this.outBytes += n
      if (this.outBytes > limits.maxDecompressedBytes) {
        return unsafe('BUNDLE_LIMIT_EXCEEDED', `bundle expands to more than ${limits.maxDecompressedBytes} bytes`)
      }
      // The manifest says how big the files are; a stream that expands beyond that
      // (plus tar headers) is lying, whatever its ratio. Stop before it costs more.
      if (this.outBytes > declared) {
        return unsafe('BUNDLE_LIMIT_EXCEEDED', `bundle expands beyond the ${declared} bytes its manifest accounts for`)
      }
      if (this.outBytes > 1024 * 1024 && this.outBytes / Math.max(this.inBytes, 1) > limits.maxRatio) {
        return unsafe(
          'BUNDLE_LIMIT_EXCEEDED',
          `bundle expands more than ${limits.maxRatio} times (a compression bomb?)`,
        )
      }
      return undefined
    })
  }
}

/** The most a tar of the manifest's files can decompress to: contents, padding, headers (pax included), end blocks. */
function declaredTarBytes(manifest: Manifest): number {
  const perFile = 512 + 3 * 512 + 511
  return manifest.files.reduce((n, f) => n + f.size + perFile, 0) + 10 * 1024
}

function passThrough(check: (bytes: number) => SquizzleError | undefined): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, callback: TransformCallback) {
      callback(check(chunk.length) ?? null, chunk)
    },
  })
}
