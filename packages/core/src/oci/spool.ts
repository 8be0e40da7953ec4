import { createHash } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Transform, type Readable, type TransformCallback } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { isSquizzleError, SquizzleError } from '../errors/squizzle-error.js'

/** A stream copied to a temporary file so its digest and size are known before it is pushed. */
export interface SpooledContent {
  digest: string
  size: number
  open(): Readable
  dispose(): Promise<void>
}

/**
 * Copies a stream to a temporary file while hashing it, in constant memory.
 *
 * @example
 * ```ts
 * const spooled = await spool(bundleStream)
 * try { await target.push({ ...desc, digest: spooled.digest, size: spooled.size }, spooled.open()) }
 * finally { await spooled.dispose() }
 * ```
 */
export async function spool(source: Readable): Promise<SpooledContent> {
  const dir = await mkdtemp(join(tmpdir(), 'squizzle-spool-'))
  const file = join(dir, 'content')
  const hash = createHash('sha256')
  let size = 0
  const tap = new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, callback: TransformCallback) {
      hash.update(chunk)
      size += chunk.length
      callback(null, chunk)
    },
  })
  try {
    await pipeline(source, tap, createWriteStream(file))
  } catch (err) {
    await rm(dir, { recursive: true, force: true })
    if (isSquizzleError(err)) throw err
    throw new SquizzleError(
      'STORAGE_ERROR',
      `could not read the content to store: ${err instanceof Error ? err.message : String(err)}`,
      {
        hint: 'The stream given to push() failed before its end; nothing was stored. Fix the source and push again.',
        cause: err,
      },
    )
  }
  return {
    digest: `sha256:${hash.digest('hex')}`,
    size,
    open: () => createReadStream(file),
    dispose: () => rm(dir, { recursive: true, force: true }),
  }
}
