import { constants } from 'node:fs'
import { open, type FileHandle } from 'node:fs/promises'
import type { Stats } from 'node:fs'
import { SquizzleError } from '@squizzle/core'

/**
 * Opens a file of the layout for reading, refusing anything but a regular file
 * with `STORAGE_UNSAFE`. Opened non-blocking and checked on the open handle (no
 * window between check and use): opening a FIFO for reading would otherwise block
 * until some writer appears, hanging `verify`, `pull` and `apply` for ever. Errors
 * of the open itself (a missing file) are thrown as they are.
 *
 * @example
 * ```ts
 * const handle = await openRegular(paths.blob(digest), `blob ${digest}`)
 * ```
 */
export async function openRegular(path: string, what: string): Promise<FileHandle> {
  let handle: FileHandle
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK)
  } catch (err) {
    // ENXIO: a socket, or a device with nothing behind it; neither is content.
    if ((err as { code?: unknown }).code === 'ENXIO') throw notRegular(path, what, 'a socket or device')
    throw err
  }
  try {
    const stats = await handle.stat()
    if (stats.isFile()) return handle
    throw notRegular(path, what, kindOf(stats))
  } catch (err) {
    await handle.close().catch(() => undefined)
    throw err
  }
}

/**
 * Reads a small regular file whole, refusing one larger than `maxBytes` before
 * reading it (`tooLarge` makes that error) and any non-regular file (`STORAGE_UNSAFE`).
 *
 * @example
 * ```ts
 * const bytes = await readRegular(paths.indexFile, 'index.json', maxIndexBytes, (size) => invalid(size))
 * ```
 */
export async function readRegular(
  path: string,
  what: string,
  maxBytes: number,
  tooLarge: (size: number) => Error,
): Promise<Buffer> {
  const handle = await openRegular(path, what)
  try {
    const { size } = await handle.stat()
    if (size > maxBytes) throw tooLarge(size)
    return await handle.readFile()
  } finally {
    await handle.close()
  }
}

function kindOf(stats: Stats): string {
  if (stats.isFIFO()) return 'a FIFO (named pipe)'
  if (stats.isDirectory()) return 'a directory'
  if (stats.isSocket()) return 'a socket'
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device'
  return 'not a regular file'
}

function notRegular(path: string, what: string, kind: string): SquizzleError {
  return new SquizzleError('STORAGE_UNSAFE', `${what} (${path}) is ${kind}, not a regular file`, {
    hint: 'Something other than content was put into the OCI layout. Do not use it: remove it, copy the version again.',
    details: { path, kind },
  })
}
