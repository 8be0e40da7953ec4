import { mediaTypes } from '@squizzle/core/oci'

/** Manifest media types a registry stores under `/manifests/` (everything else is a blob). */
const manifestTypes = new Set<string>([
  mediaTypes.imageManifest,
  mediaTypes.imageIndex,
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
])

/**
 * The `Accept` header for manifest reads: without it, distribution answers
 * "OCI manifest found, but accept header does not support OCI manifests".
 */
export const manifestAccept = [...manifestTypes].join(', ')

/**
 * True when content of this media type lives under `/manifests/`, not `/blobs/`.
 *
 * @example
 * ```ts
 * isManifestType('application/vnd.oci.image.manifest.v1+json') // true
 * isManifestType('application/vnd.squizzle.bundle.v1.tar+gzip') // false
 * ```
 */
export function isManifestType(mediaType: string): boolean {
  return manifestTypes.has(mediaType)
}

/** `application/json; charset=utf-8` → `application/json`. */
export function bareMediaType(contentType: string | null): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase()
}
