import { createWriteStream } from 'node:fs'
import { open, rename, rm, stat } from 'node:fs/promises'
import { pipeline as pipe, Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { type Descriptor } from '@squizzle/core'
import { verifyingStream } from '@squizzle/core/oci'
import { isMissing, notFound, storageError } from './layout-errors.js'
import type { LayoutPaths } from './layout-paths.js'
import { openRegular } from './regular-file.js'

/**
 * Read and write buffer of blob streams. Node's defaults (64 KiB reads, 16 KiB of
 * write buffer) cut a 200 MB bundle into thousands of chunks, each a round of stream
 * callbacks and a backpressure pause; 1 MiB costs about 1 MiB more per open stream.
 */
const blobBufferBytes = 1024 * 1024

/**
 * Stores a blob under `blobs/sha256/<hex>`: streamed into `ingest/`, checked
 * against the descriptor's size and digest on the way, synced, then renamed into
 * place. A failed, aborted or mismatching stream leaves neither the blob nor a
 * partial file; memory stays constant whatever the blob's size. A blob that is
 * already stored is not written again (content addressing makes it identical).
 *
 * @example
 * ```ts
 * await writeBlob(paths, desc, createReadStream('bundle.tar.gz'))
 * ```
 */
export async function writeBlob(paths: LayoutPaths, desc: Descriptor, content: Readable | Uint8Array): Promise<void> {
  const target = paths.blob(desc.digest)
  if (await isFile(target)) {
    // Nothing will read the caller's stream; release its file handle or socket now.
    if (!(content instanceof Uint8Array)) content.destroy()
    return
  }
  const source =
    content instanceof Uint8Array
      ? Readable.from([Buffer.from(content.buffer, content.byteOffset, content.byteLength)])
      : content
  const temp = paths.ingestFile()
  try {
    await pipeline(
      source,
      verifyingStream(desc, `blob ${desc.digest}`),
      createWriteStream(temp, { flags: 'wx', highWaterMark: blobBufferBytes }),
    )
    await syncFile(temp)
    await rename(temp, target)
  } catch (err) {
    source.destroy()
    // A cleanup failure must not hide the original error, which is the one thrown.
    await rm(temp, { force: true }).catch(() => undefined)
    throw storageError(`store blob ${desc.digest} in ${paths.root}`, err)
  }
}

/** Flushes a file to disk, so a crash after the rename cannot leave a complete-looking but empty blob. */
async function syncFile(file: string): Promise<void> {
  const handle = await open(file, 'r+')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/**
 * Opens a stored blob for streaming, verified as it is read: a file that does not
 * match `desc` fails the stream with `DIGEST_MISMATCH` (detected in storage, naming
 * the file) before its end. `VERSION_NOT_FOUND` when it is not stored,
 * `STORAGE_UNSAFE` when something other than a regular file is in its place.
 *
 * @example
 * ```ts
 * const stream = await openBlob(paths, desc)
 * ```
 */
export async function openBlob(paths: LayoutPaths, desc: Descriptor): Promise<Readable> {
  const file = paths.blob(desc.digest)
  let handle
  try {
    handle = await openRegular(file, `blob ${desc.digest} in the OCI layout ${paths.root}`)
  } catch (err) {
    if (isMissing(err)) throw notFound(`blob ${desc.digest} is not in the OCI layout ${paths.root}`)
    throw storageError(`read ${file}`, err)
  }
  const check = { detectedIn: 'storage', details: { path: file, layout: paths.root } } as const
  const verify = verifyingStream(desc, `blob ${desc.digest} in the OCI layout ${paths.root}`, check)
  // pipeline: a reader that stops early destroys `verify`, and with it the file stream and its handle.
  return pipe(handle.createReadStream({ highWaterMark: blobBufferBytes }), verify, () => undefined)
}

/**
 * True when `path` is a regular file; false when nothing is there.
 *
 * @example
 * ```ts
 * if (await isFile(paths.blob(desc.digest))) return
 * ```
 */
export async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile()
  } catch (err) {
    if (isMissing(err)) return false
    throw storageError(`inspect ${path}`, err)
  }
}

/**
 * Removes a stored blob; no-op when it is already gone.
 *
 * @example
 * ```ts
 * await removeBlob(paths, layer.digest)
 * ```
 */
export async function removeBlob(paths: LayoutPaths, digest: string): Promise<void> {
  const file = paths.blob(digest)
  try {
    await rm(file, { force: true })
  } catch (err) {
    throw storageError(`remove ${file}`, err)
  }
}
