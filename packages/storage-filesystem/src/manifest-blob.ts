import { SquizzleError, type Descriptor } from '@squizzle/core'
import { assertDigest, mediaTypes, parseImageIndex, parseImageManifest } from '@squizzle/core/oci'
import { isMissing, notFound, storageError } from './layout-errors.js'
import type { LayoutPaths } from './layout-paths.js'
import { readRegular } from './regular-file.js'

const maxManifestBytes = 4 * 1024 * 1024

const imageManifestTypes = new Set<string>([
  mediaTypes.imageManifest,
  'application/vnd.docker.distribution.manifest.v2+json',
])
const imageIndexTypes = new Set<string>([
  mediaTypes.imageIndex,
  'application/vnd.docker.distribution.manifest.list.v2+json',
])

/** A stored manifest or index: its descriptor (from its own bytes) and what it points at. */
export interface ManifestBlob {
  desc: Descriptor
  /** Config and layers of a manifest, or the manifests of an index. `subject` is not a child. */
  children: Descriptor[]
  /** The manifest's or index's own annotations. */
  annotations: Record<string, string>
}

/**
 * True for media types of manifests and indexes, whose blobs name other blobs.
 *
 * @example
 * ```ts
 * isManifestType('application/vnd.oci.image.index.v1+json') // true
 * ```
 */
export function isManifestType(mediaType: string): boolean {
  return imageManifestTypes.has(mediaType) || imageIndexTypes.has(mediaType)
}

/**
 * Reads a stored manifest or index, checks its bytes against `digest` and its
 * shape against core's schemas, and describes it. This is how a digest resolves
 * without an index entry, and how references are followed.
 * Throws `VERSION_NOT_FOUND` (not stored), `DIGEST_MISMATCH` (altered bytes) or
 * `MANIFEST_INVALID` (not a manifest or index).
 *
 * @example
 * ```ts
 * const { desc, children } = await readManifestBlob(paths, 'sha256:46cf…')
 * ```
 */
export async function readManifestBlob(paths: LayoutPaths, digest: string): Promise<ManifestBlob> {
  const file = paths.blob(digest)
  const bytes = await readSmallFile(file, digest, paths.root)
  const check = { detectedIn: 'storage', details: { path: file, layout: paths.root } } as const
  const stored = { mediaType: 'application/octet-stream', digest, size: bytes.byteLength }
  assertDigest(stored, bytes, `manifest ${digest} in the OCI layout ${paths.root}`, check)
  const source = `manifest ${digest} in ${paths.root}`
  const value = parseObject(bytes, source)
  const declared = typeof value['mediaType'] === 'string' ? value['mediaType'] : undefined
  const artifactType = typeof value['artifactType'] === 'string' ? { artifactType: value['artifactType'] } : {}
  const isIndex = declared === undefined ? Array.isArray(value['manifests']) : imageIndexTypes.has(declared)
  const isManifest = declared === undefined ? 'config' in value : imageManifestTypes.has(declared)
  if (isIndex) {
    const index = parseImageIndex(bytes, source)
    const desc = { mediaType: declared ?? mediaTypes.imageIndex, digest, size: bytes.byteLength, ...artifactType }
    return { desc, children: index.manifests, annotations: index.annotations ?? {} }
  }
  if (isManifest) {
    const image = parseImageManifest(bytes, source)
    const desc = { mediaType: declared ?? mediaTypes.imageManifest, digest, size: bytes.byteLength, ...artifactType }
    return { desc, children: [image.config, ...image.layers], annotations: image.annotations ?? {} }
  }
  throw notManifest(source, declared === undefined ? 'no manifest fields' : `media type ${declared}`)
}

async function readSmallFile(file: string, digest: string, root: string): Promise<Buffer> {
  try {
    // Layers can be gigabytes: decide from the size that they are not manifests before reading.
    const tooLarge = (size: number) => notManifest(`blob ${digest} in ${root}`, `${size} bytes`)
    return await readRegular(file, `blob ${digest} in the OCI layout ${root}`, maxManifestBytes, tooLarge)
  } catch (err) {
    if (isMissing(err)) throw notFound(`${digest} is not in the OCI layout ${root}`)
    throw storageError(`read ${file}`, err)
  }
}

function parseObject(bytes: Buffer, source: string): Record<string, unknown> {
  let value: unknown
  try {
    value = JSON.parse(bytes.toString('utf8'))
  } catch (cause) {
    throw notManifest(source, 'not JSON', cause)
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw notManifest(source, 'not a JSON object')
  return value as Record<string, unknown>
}

function notManifest(source: string, why: string, cause?: unknown): SquizzleError {
  return new SquizzleError('MANIFEST_INVALID', `${source} is not an OCI manifest or index (${why})`, {
    hint: 'Resolve a version tag or the digest of a manifest, not of a layer or config blob.',
    ...(cause === undefined ? {} : { cause }),
  })
}
