import { SquizzleError, type Descriptor } from '@squizzle/core'
import { isDigest, sha256Digest } from '@squizzle/core/oci'
import { bareMediaType, manifestAccept } from './media-type-routing.js'
import type { RegistryClient } from './registry-client.js'
import { notFound } from './registry-errors.js'

/** Manifests and indexes are small; a registry claiming more is refused before reading. */
export const maxManifestBytes = 4 * 1024 * 1024

/**
 * Describes what a tag or digest points at (HEAD, falling back to GET when the
 * registry omits `Docker-Content-Digest`), or null when it points at nothing.
 *
 * @example
 * ```ts
 * const desc = await headManifest(client, '1.2.0')
 * ```
 */
export async function headManifest(client: RegistryClient, reference: string): Promise<Descriptor | null> {
  const action = `resolve ${reference}`
  const res = await client.send(action, 'pull', {
    method: 'HEAD',
    path: `manifests/${reference}`,
    headers: { accept: manifestAccept },
  })
  if (res.status !== 200 && res.status !== 404) throw await client.error(res, action)
  await res.discard()
  if (res.status === 404) return null
  const digest = res.headers.get('docker-content-digest')
  const size = Number(res.headers.get('content-length'))
  const mediaType = bareMediaType(res.headers.get('content-type'))
  if (digest && isDigest(digest) && Number.isSafeInteger(size) && size > 0 && mediaType) {
    if (isDigest(reference) && digest !== reference) throw wrongDigest(client, action, reference, digest)
    return { mediaType, digest, size }
  }
  const got = await getManifest(client, reference)
  return got?.desc ?? null
}

/**
 * Reads a manifest into memory, described from its own bytes (a digest reference
 * must match them). Null when absent.
 *
 * @example
 * ```ts
 * const got = await getManifest(client, 'sha256:…')
 * ```
 */
export async function getManifest(
  client: RegistryClient,
  reference: string,
): Promise<{ desc: Descriptor; bytes: Buffer } | null> {
  const action = `get manifest ${reference}`
  const res = await client.send(action, 'pull', {
    method: 'GET',
    path: `manifests/${reference}`,
    headers: { accept: manifestAccept },
  })
  if (res.status === 404) {
    await res.discard()
    return null
  }
  if (res.status !== 200) throw await client.error(res, action)
  const bytes = await client.readBody(res, action, maxManifestBytes)
  const digest = sha256Digest(bytes)
  if (isDigest(reference) && digest !== reference) throw wrongDigest(client, action, reference, digest)
  return { desc: { mediaType: bareMediaType(res.headers.get('content-type')), digest, size: bytes.byteLength }, bytes }
}

/**
 * Stores manifest bytes under a tag or their digest, with their media type as
 * `Content-Type` (distribution rejects `application/json`).
 *
 * @example
 * ```ts
 * await putManifest(client, '1.2.0', desc.mediaType, bytes)
 * ```
 */
export async function putManifest(
  client: RegistryClient,
  reference: string,
  mediaType: string,
  bytes: Uint8Array,
): Promise<void> {
  const action = isDigest(reference) ? `push manifest ${reference}` : `tag ${reference}`
  const res = await client.expect(
    action,
    'pull,push',
    {
      method: 'PUT',
      path: `manifests/${reference}`,
      headers: { 'content-type': mediaType, 'content-length': String(bytes.byteLength) },
      body: bytes,
    },
    [200, 201],
  )
  await res.discard()
  const stored = res.headers.get('docker-content-digest')
  const sent = sha256Digest(bytes)
  if (stored && stored !== sent) throw wrongDigest(client, action, sent, stored)
}

/**
 * Deletes a manifest by digest (and with it, on distribution, every tag naming it).
 *
 * @example
 * ```ts
 * await deleteManifest(client, desc.digest)
 * ```
 */
export async function deleteManifest(client: RegistryClient, digest: string): Promise<void> {
  const action = `delete manifest ${digest}`
  const res = await client.send(action, 'pull,push', { method: 'DELETE', path: `manifests/${digest}` })
  if (res.status === 404) {
    await res.discard()
    throw notFound(client, `manifest ${digest}`)
  }
  if (res.status !== 202 && res.status !== 200) throw await client.error(res, action)
  await res.discard()
}

function wrongDigest(client: RegistryClient, action: string, expected: string, actual: string): SquizzleError {
  const { registry, repository } = client.location
  const answer = `the registry answered for ${expected} with a manifest whose digest is ${actual} (detected in transit)`
  return new SquizzleError('DIGEST_MISMATCH', `${action} on ${registry}/${repository}: ${answer}`, {
    hint: 'The registry (or something between us) altered the manifest; do not use it.',
    details: { registry, repository, operation: action, digest: expected, expected, actual, detectedIn: 'transit' },
  })
}
