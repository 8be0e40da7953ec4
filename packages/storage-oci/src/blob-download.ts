import { createHash } from 'node:crypto'
import { Readable } from 'node:stream'
import { digestMismatch, SquizzleError, type Descriptor, type DigestCheck } from '@squizzle/core'
import type { HttpResponse } from './http-response.js'
import type { RegistryClient } from './registry-client.js'
import { interruptedError } from './registry-errors.js'
import { backoffDelay } from './retry-policy.js'
import { BodyInterrupted } from './watched-body.js'

/** A response positioned in a blob: `skip` leading bytes are ones the reader already has. */
interface Opened {
  res: HttpResponse
  skip: number
}

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
  const first = await openAt(client, desc, 0, action)
  return Readable.from(resumingBody(client, desc, first, action), { objectMode: false, highWaterMark: 1024 * 1024 })
}

async function* resumingBody(client: RegistryClient, desc: Descriptor, first: Opened, action: string): AsyncGenerator<Buffer> {
  const hash = createHash('sha256')
  let received = 0
  let current = first
  let lastProgress = { at: Date.now(), attempt: 1 }
  for (let attempt = 1; ; attempt++) {
    try {
      for await (const raw of current.res.body as AsyncIterable<Buffer>) {
        const chunk = skipKnown(raw, current)
        if (chunk.length === 0) continue
        received += chunk.length
        lastProgress = { at: Date.now(), attempt }
        if (received > desc.size) throw transitMismatch(client, desc, action, 'unknown (more bytes than expected)', received)
        hash.update(chunk)
        yield chunk
      }
      break
    } catch (err) {
      if (!(err instanceof BodyInterrupted)) throw err
      // Every byte arrived and only the end of the response was lost: nothing to resume.
      if (received === desc.size) break
      const tries = attempt - lastProgress.attempt + 1
      const delay = backoffDelay(client.policy, tries)
      const budgetLeft = Date.now() + delay - lastProgress.at <= client.policy.maxElapsedMs
      if (tries >= client.policy.maxAttempts || !budgetLeft) {
        throw interruptedError(new BodyInterrupted(err.kind, received, err.idleTimeoutMs, err), client.op(action), desc.size, attempt)
      }
      await new Promise((resolve) => setTimeout(resolve, delay))
      current = await openAt(client, desc, received, action)
    }
  }
  const actual = `sha256:${hash.digest('hex')}`
  if (received !== desc.size || actual !== desc.digest) throw transitMismatch(client, desc, action, actual, received)
}

/** The part of `chunk` past the bytes the reader already has (a registry that ignored `Range` resends them). */
function skipKnown(chunk: Buffer, opened: Opened): Buffer {
  if (opened.skip === 0) return chunk
  const dropped = Math.min(opened.skip, chunk.length)
  opened.skip -= dropped
  return chunk.subarray(dropped)
}

/**
 * GETs the blob from byte `offset` on: a `206` for exactly that range, or a full
 * `200` whose first `offset` bytes are then skipped. Sizes that contradict the
 * descriptor are refused before any byte is read.
 */
async function openAt(client: RegistryClient, desc: Descriptor, offset: number, action: string, useRange = true): Promise<Opened> {
  const range = offset > 0 && useRange ? { range: `bytes=${offset}-` } : undefined
  const res = await client.send(action, 'pull', { method: 'GET', path: `blobs/${desc.digest}`, ...(range ? { headers: range } : {}) })
  if (res.status === 404) {
    await res.discard()
    throw notFound(client, `blob ${desc.digest}`)
  }
  if (res.status === 206 && range) {
    const asked = `bytes ${offset}-${desc.size - 1}/${desc.size}`
    if (res.headers.get('content-range') === asked) return { res: checkLength(client, desc, res, action, desc.size - offset), skip: 0 }
    // A range other than the one asked for: start over from the whole blob.
    await res.discard()
    return openAt(client, desc, offset, action, false)
  }
  if (res.status !== 200) throw await client.error(res, action)
  return { res: checkLength(client, desc, res, action, desc.size), skip: offset }
}

function checkLength(client: RegistryClient, desc: Descriptor, res: HttpResponse, action: string, expected: number): HttpResponse {
  const length = res.headers.get('content-length')
  if (length === null || Number(length) === expected) return res
  void res.discard()
  throw new SquizzleError('DIGEST_MISMATCH', `${action} from ${where(client)}: the registry sends ${length} bytes, expected ${expected} (detected in transit)`, {
    hint: 'The registry\'s blob is not the one the manifest names; do not use this version. Restore it in the registry from a trusted copy.',
    details: { ...transit(client, action).details, digest: desc.digest, expectedSize: desc.size, size: Number(length), detectedIn: 'transit' },
  })
}

function transitMismatch(client: RegistryClient, desc: Descriptor, action: string, actual: string, size: number): SquizzleError {
  return digestMismatch(`${action} from ${where(client)}`, desc, actual, size, transit(client, action))
}

function transit(client: RegistryClient, action: string): DigestCheck & { details: Record<string, unknown> } {
  return { detectedIn: 'transit', details: { registry: client.location.registry, repository: client.location.repository, operation: action } }
}

function where(client: RegistryClient): string {
  return `${client.location.registry}/${client.location.repository}`
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
