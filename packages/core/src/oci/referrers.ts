import { canonicalJson } from '../manifest/canonical-json.js'
import { parseImageIndex } from './bundle-artifact.js'
import type { ContentTarget } from './content-target.js'
import type { Descriptor, ImageIndex } from './descriptor.js'
import { describeBytes } from './digest.js'
import { fetchVerified, resolveOrNull } from './fetch-verified.js'
import { mediaTypes } from './media-types.js'

const maxIndexBytes = 4 * 1024 * 1024

/**
 * The referrers fallback tag of a digest (distribution spec "Referrers Tag Schema"):
 * `sha256:abc…` becomes `sha256-abc…`.
 *
 * @example
 * ```ts
 * referrersTag('sha256:1b60…') // 'sha256-1b60…'
 * ```
 */
export function referrersTag(digest: string): string {
  const [alg = '', hex = ''] = digest.split(':')
  return `${alg.slice(0, 32)}-${hex.slice(0, 64)}`.replace(/[^a-zA-Z0-9_.-]/g, '-')
}

/**
 * True for tags that are referrers fallback tags, not versions.
 *
 * @example
 * ```ts
 * isReferrersTag('sha256-' + 'a'.repeat(64)) // true
 * isReferrersTag('1.2.0')                    // false
 * ```
 */
export function isReferrersTag(tag: string): boolean {
  return /^sha256-[0-9a-f]{64}$/.test(tag)
}

/**
 * Reads the referrers of `subject`: from the target's own index (a registry's
 * referrers API) when it has one, else from the fallback tag index; empty when
 * there is none.
 *
 * @example
 * ```ts
 * const descriptors = await readReferrers(target, ref.digest)
 * ```
 */
export async function readReferrers(target: ContentTarget, subject: string): Promise<ImageIndex> {
  const indexed = (await target.referrers?.(subject)) ?? null
  if (indexed) return { schemaVersion: 2, mediaType: mediaTypes.imageIndex, manifests: indexed }
  return readFallbackIndex(target, subject)
}

async function readFallbackIndex(target: ContentTarget, subject: string): Promise<ImageIndex> {
  const desc = await resolveOrNull(target, referrersTag(subject))
  if (!desc) return { schemaVersion: 2, mediaType: mediaTypes.imageIndex, manifests: [] }
  const what = `referrers index of ${subject}`
  return parseImageIndex(await fetchVerified(target, desc, maxIndexBytes, what), what)
}

/**
 * Records `referrer` (already pushed) as a referrer of `subject`: nothing to do
 * when the target indexes subjects itself and lists it; otherwise adds it to the
 * fallback tag index (skipping duplicates) and moves the tag to the new index.
 *
 * @example
 * ```ts
 * await addReferrer(target, ref.digest, signatureManifestDesc)
 * ```
 */
export async function addReferrer(target: ContentTarget, subject: string, referrer: Descriptor): Promise<void> {
  const indexed = (await target.referrers?.(subject)) ?? null
  if (indexed?.some((m) => m.digest === referrer.digest)) return
  const index = await readFallbackIndex(target, subject)
  if (index.manifests.some((m) => m.digest === referrer.digest)) return
  const next: ImageIndex = {
    schemaVersion: 2,
    mediaType: mediaTypes.imageIndex,
    manifests: [...index.manifests, referrer],
  }
  const bytes = Buffer.from(canonicalJson(next), 'utf8')
  const desc = describeBytes(mediaTypes.imageIndex, bytes)
  await target.push(desc, bytes)
  await target.tag(desc, referrersTag(subject))
}
