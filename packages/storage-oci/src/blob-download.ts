import { Readable } from 'node:stream'
import { SquizzleError, type Descriptor } from '@squizzle/core'
import type { HttpResponse } from './http-transport.js'
import type { RegistryClient } from './registry-client.js'

/**
 * Opens a blob for reading. A `Content-Length` that contradicts the descriptor is
 * refused before any byte is read; a body cut off midway fails the stream with
 * `REGISTRY_UNAVAILABLE` naming how far it got. The digest is checked by the
 * reader (core's `verifyingStream`) as the bytes stream through, so memory stays constant.
 *
 * @example
 * ```ts
 * const stream = await downloadBlob(client, layer)
 * ```
 */
export async function downloadBlob(client: RegistryClient, desc: Descriptor): Promise<Readable> {
  const action = `download blob ${desc.digest}`
  const res = await client.send(action, 'pull', { method: 'GET', path: `blobs/${desc.digest}` })
  if (res.status === 404) {
    await res.discard()
    throw notFound(client, `blob ${desc.digest}`)
  }
  if (res.status !== 200) throw await client.error(res, action)
  const length = res.headers.get('content-length')
  if (length !== null && Number(length) !== desc.size) {
    await res.discard()
    throw new SquizzleError('DIGEST_MISMATCH', `${action} from ${client.location.registry}/${client.location.repository}: the registry sends ${length} bytes, the descriptor says ${desc.size}`, {
      hint: 'The stored blob is not the one the manifest names; do not use this version. Restore it from a trusted copy.',
      details: { digest: desc.digest, expectedSize: desc.size, size: Number(length) },
    })
  }
  return guardedBody(res, client, action, desc.size)
}

/**
 * The body as a stream that fails with a typed error when the connection breaks
 * before the announced end (Node reports that as "aborted"). Bytes flow only as
 * the reader asks for them; a break that happens before anyone reads is reported
 * on the first read, so it can never surface as an unhandled error.
 */
function guardedBody(res: HttpResponse, client: RegistryClient, action: string, expected: number): Readable {
  const message = res.message
  let received = 0
  let pending: SquizzleError | undefined
  const out = new Readable({
    // Up to 1 MiB may wait for the reader before the socket is paused (the default
    // 16 KiB pauses it after nearly every network chunk, stalling the download).
    highWaterMark: 1024 * 1024,
    read() {
      if (pending) this.destroy(pending)
      else message.resume()
    },
    destroy(err, callback) {
      if (!message.readableEnded) message.destroy()
      callback(err)
    },
  })
  const fail = (cause: unknown) => {
    if (pending || out.destroyed) return
    pending = new SquizzleError('REGISTRY_UNAVAILABLE', `${action} from ${client.location.registry}/${client.location.repository} was cut off after ${received} of ${expected} bytes`, {
      hint: 'The connection to the registry broke; nothing was stored from this download. Try again.',
      cause,
      details: { registry: client.location.registry, repository: client.location.repository, received, expected },
    })
    if (out.listenerCount('error') > 0) out.destroy(pending)
  }
  message.pause()
  message.on('data', (chunk: Buffer) => {
    received += chunk.length
    if (!out.push(chunk)) message.pause()
  })
  message.once('end', () => out.push(null))
  message.once('error', fail)
  message.once('close', () => {
    if (!message.complete) fail(new Error('connection closed before the end of the body'))
  })
  return out
}

/**
 * `VERSION_NOT_FOUND` for something the repository does not hold.
 *
 * @example
 * ```ts
 * throw notFound(client, 'tag 1.2.0')
 * ```
 */
export function notFound(client: RegistryClient, what: string): SquizzleError {
  return new SquizzleError('VERSION_NOT_FOUND', `${what} is not in ${client.location.registry}/${client.location.repository}`, {
    hint: 'Run `squizzle list` to see the versions the registry holds, and check the repository name.',
    details: { registry: client.location.registry, repository: client.location.repository },
  })
}
