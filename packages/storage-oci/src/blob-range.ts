import { SquizzleError, type Descriptor } from '@squizzle/core'
import { type DigestCheck } from '@squizzle/core/oci'
import type { HttpResponse } from './http-response.js'
import type { RegistryClient } from './registry-client.js'
import { notFound } from './registry-errors.js'

/** A response positioned in a blob: `skip` leading bytes are ones the reader already has. */
export interface OpenedBlob {
  res: HttpResponse
  skip: number
}

/**
 * GETs the blob from byte `offset` on: a `206` for exactly that range, or a full
 * `200` whose first `offset` bytes are then skipped. Sizes that contradict the
 * descriptor are refused (`DIGEST_MISMATCH`, detected in transit) before any byte is read.
 *
 * @example
 * ```ts
 * const { res, skip } = await openAt(client, layer, 51_200, `download blob ${layer.digest}`)
 * ```
 */
export async function openAt(
  client: RegistryClient,
  desc: Descriptor,
  offset: number,
  action: string,
  useRange = true,
): Promise<OpenedBlob> {
  const range = offset > 0 && useRange ? { range: `bytes=${offset}-` } : undefined
  const path = `blobs/${desc.digest}`
  const res = await client.send(action, 'pull', { method: 'GET', path, ...(range ? { headers: range } : {}) })
  if (res.status === 404) {
    await res.discard()
    throw notFound(client, `blob ${desc.digest}`)
  }
  if (res.status === 206 && range) {
    const asked = `bytes ${offset}-${desc.size - 1}/${desc.size}`
    if (res.headers.get('content-range') === asked) {
      return { res: checkLength(client, desc, res, action, desc.size - offset), skip: 0 }
    }
    // A range other than the one asked for: start over from the whole blob.
    await res.discard()
    return openAt(client, desc, offset, action, false)
  }
  if (res.status !== 200) throw await client.error(res, action)
  return { res: checkLength(client, desc, res, action, desc.size), skip: offset }
}

function checkLength(
  client: RegistryClient,
  desc: Descriptor,
  res: HttpResponse,
  action: string,
  expected: number,
): HttpResponse {
  const length = res.headers.get('content-length')
  if (length === null || Number(length) === expected) return res
  void res.discard()
  const sends = `the registry sends ${length} bytes, expected ${expected} (detected in transit)`
  throw new SquizzleError('DIGEST_MISMATCH', `${action} from ${where(client)}: ${sends}`, {
    hint: 'The registry holds another blob than the manifest names: do not use this version; restore it.',
    details: { ...transit(client, action).details, digest: desc.digest, expectedSize: desc.size, size: Number(length) },
  })
}

/** The digest check of bytes downloaded for `action`. */
export function transit(client: RegistryClient, action: string): DigestCheck & { details: Record<string, unknown> } {
  const { registry, repository } = client.location
  return { detectedIn: 'transit', details: { registry, repository, operation: action, detectedIn: 'transit' } }
}

/** `registry/repository`, for messages. */
export function where(client: RegistryClient): string {
  return `${client.location.registry}/${client.location.repository}`
}
