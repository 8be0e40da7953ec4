import { Readable } from 'node:stream'
import { SquizzleError, type Descriptor } from '@squizzle/core'
import { ByteTaker } from './byte-taker.js'
import type { HttpResponse } from './http-response.js'
import type { RegistryClient } from './registry-client.js'

/** How blobs are uploaded. */
export interface UploadOptions {
  /**
   * Size of the PATCH chunks of a large blob. Chunks are streamed from the source,
   * never held in memory, so the size costs no memory; fewer chunks mean fewer round trips.
   */
  chunkSize: number
}

/** 64 MiB: a 200 MB bundle goes in 4 requests. */
export const defaultChunkSize = 64 * 1024 * 1024
/** Blobs up to this size are held in memory and sent in one PUT, which can be retried as a whole. */
const monolithicLimit = 4 * 1024 * 1024

/**
 * Uploads a blob: POST opens a session; a small blob then goes in one PUT from
 * memory (retried on 429/5xx/resets like any request); a large one goes in PATCH
 * chunks streamed straight from the source at constant memory, then a closing PUT
 * with the digest, always to the latest `Location`. A streamed chunk cannot be
 * sent again (its bytes are gone), so a chunk that fails ends the upload with a
 * typed error; pushing again skips the blobs that made it. The registry checks the
 * digest; the size is checked here. On failure the session is cancelled.
 *
 * @example
 * ```ts
 * await uploadBlob(client, desc, createReadStream(file), { chunkSize: defaultChunkSize })
 * ```
 */
export async function uploadBlob(
  client: RegistryClient,
  desc: Descriptor,
  content: Readable | Uint8Array,
  options: UploadOptions,
): Promise<void> {
  const action = `upload blob ${desc.digest}`
  let location: string | undefined
  const source =
    content instanceof Uint8Array
      ? Readable.from([Buffer.from(content.buffer, content.byteOffset, content.byteLength)])
      : content
  const taker = new ByteTaker(source, `blob ${desc.digest}`)
  try {
    const session = await openSession(client, action, options)
    location = session.location
    const sent = await sendContent(client, { location, desc, taker, chunkSize: session.chunkSize, action })
    location = sent.location
    await taker.expectEnd()
    await closeSession(client, sent, desc, action)
    location = undefined
  } catch (err) {
    source.destroy()
    if (location) await cancelUpload(client, location)
    throw err
  }
}

/** POST opens the upload session: where to send, and the chunk size the registry accepts. */
async function openSession(
  client: RegistryClient,
  action: string,
  options: UploadOptions,
): Promise<{ location: string; chunkSize: number }> {
  const opened = await client.expect(
    action,
    'pull,push',
    { method: 'POST', path: 'blobs/uploads/', headers: { 'content-length': '0' } },
    [202],
  )
  const location = nextLocation(client, opened, action)
  await opened.discard()
  const minChunk = Number(opened.headers.get('oci-chunk-min-length') ?? 0)
  return { location, chunkSize: Math.max(options.chunkSize, Number.isFinite(minChunk) ? minChunk : 0) }
}

/** A small blob is read whole for the closing PUT; a large one goes in PATCH chunks first. */
async function sendContent(
  client: RegistryClient,
  upload: { location: string; desc: Descriptor; taker: ByteTaker; chunkSize: number; action: string },
): Promise<{ location: string; last?: Buffer }> {
  const { location, desc, taker, chunkSize, action } = upload
  if (desc.size <= Math.min(monolithicLimit, chunkSize)) return { location, last: await taker.read(desc.size) }
  return { location: await sendChunks(client, location, desc, taker, chunkSize, action) }
}

/** The closing PUT with the digest (and the small blob's bytes), at the latest location. */
async function closeSession(
  client: RegistryClient,
  sent: { location: string; last?: Buffer },
  desc: Descriptor,
  action: string,
): Promise<void> {
  const close = new URL(sent.location)
  close.searchParams.set('digest', desc.digest)
  const { last } = sent
  const closed = await client.expect(
    action,
    'pull,push',
    {
      method: 'PUT',
      path: close.toString(),
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(last?.byteLength ?? 0) },
      ...(last ? { body: last } : {}),
    },
    [201],
  )
  await closed.discard()
}

async function sendChunks(
  client: RegistryClient,
  location: string,
  desc: Descriptor,
  taker: ByteTaker,
  chunkSize: number,
  action: string,
): Promise<string> {
  for (let offset = 0; offset < desc.size; offset += chunkSize) {
    const n = Math.min(chunkSize, desc.size - offset)
    const res = await client.send(action, 'pull,push', {
      method: 'PATCH',
      path: location,
      headers: {
        'content-type': 'application/octet-stream',
        'content-range': `${offset}-${offset + n - 1}`,
        'content-length': String(n),
      },
      body: Readable.from(taker.take(n), { objectMode: false }),
    })
    if (res.status !== 202) {
      throw await client.error(
        res,
        `${action} (chunk at byte ${offset} of ${desc.size})`,
        'Streamed chunks are not resent: push again; blobs that already made it are skipped.',
      )
    }
    location = nextLocation(client, res, action)
    await res.discard()
  }
  return location
}

function nextLocation(client: RegistryClient, res: HttpResponse, action: string): string {
  const location = res.headers.get('location')
  if (!location) {
    throw new SquizzleError(
      'STORAGE_ERROR',
      `${action} on ${client.location.registry}/${client.location.repository}: the registry sent no upload Location`,
      {
        hint: 'The registry does not follow the distribution spec; report it to its operators.',
      },
    )
  }
  return new URL(location, client.location.baseUrl).toString()
}

/** Best effort: an abandoned session is garbage-collected by the registry anyway. */
async function cancelUpload(client: RegistryClient, location: string): Promise<void> {
  try {
    const res = await client.send('cancel upload', 'pull,push', { method: 'DELETE', path: location, attempts: 1 })
    await res.discard()
  } catch {
    // The registry is unreachable: the session expires on its own.
  }
}
