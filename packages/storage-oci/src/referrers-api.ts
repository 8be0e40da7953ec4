import { type Descriptor } from '@squizzle/core'
import { mediaTypes, parseImageIndex } from '@squizzle/core/oci'
import { maxManifestBytes } from './manifests.js'
import type { RegistryClient } from './registry-client.js'
import { nextLink } from './tag-list.js'

/**
 * The manifests whose `subject` is `subject`, from the registry's referrers API
 * (`GET /v2/<name>/referrers/<digest>`, following `Link` pages), or null when the
 * registry has no such API (404, as distribution 2.8), so the caller uses the
 * `sha256-<hex>` fallback tag instead.
 *
 * @example
 * ```ts
 * const listed = await listReferrers(client, ref.digest) // null on distribution 2.8
 * ```
 */
export async function listReferrers(client: RegistryClient, subject: string): Promise<Descriptor[] | null> {
  const action = `list referrers of ${subject}`
  const found: Descriptor[] = []
  let path: string | undefined = `referrers/${subject}`
  while (path) {
    const res = await client.send(action, 'pull', { method: 'GET', path, headers: { accept: mediaTypes.imageIndex } })
    if (res.status === 404) {
      await res.discard()
      if (found.length === 0) return null
      break
    }
    if (res.status !== 200) throw await client.error(res, action)
    const bytes = await client.readBody(res, action, maxManifestBytes)
    found.push(
      ...parseImageIndex(bytes, `referrers of ${subject} in ${client.location.registry}/${client.location.repository}`)
        .manifests,
    )
    path = nextLink(res.headers.get('link'))
  }
  return found
}
