import { Readable } from 'node:stream'
import { buffer } from 'node:stream/consumers'
import { canonicalJson } from '../../manifest/canonical-json.js'
import type { ContentTarget } from '../../oci/content-target.js'
import type { Descriptor, ImageManifest } from '../../oci/descriptor.js'
import { describeBytes } from '../../oci/digest.js'
import { emptyJsonBlob, mediaTypes } from '../../oci/media-types.js'

/** Content and its descriptor. */
export interface Blob {
  desc: Descriptor
  bytes: Buffer
}

/** A small, valid OCI artifact: an empty config, one layer, and the image manifest naming both. */
export interface SampleArtifact {
  config: Blob
  layer: Blob
  manifest: Blob
}

/**
 * A distinct artifact per `seed` (the layer's bytes differ), optionally the attachment of `subject`.
 *
 * @example
 * ```ts
 * const a = sampleArtifact('one')
 * await pushArtifact(target, a)
 * ```
 */
export function sampleArtifact(seed: string, subject?: Descriptor): SampleArtifact {
  const config = blob(mediaTypes.emptyJson, emptyJsonBlob)
  const layer = blob('application/vnd.squizzle.conformance.v1', Buffer.from(`conformance layer ${seed}\n`.repeat(40)))
  const image: ImageManifest = {
    schemaVersion: 2,
    mediaType: mediaTypes.imageManifest,
    artifactType: 'application/vnd.squizzle.conformance.v1',
    config: config.desc,
    layers: [layer.desc],
    ...(subject ? { subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size } } : {}),
  }
  const manifest = blob(mediaTypes.imageManifest, Buffer.from(canonicalJson(image), 'utf8'))
  return { config, layer, manifest }
}

/**
 * Pushes the artifact as core does: blobs first, then the manifest (no tag).
 *
 * @example
 * ```ts
 * await pushArtifact(target, sampleArtifact('one'))
 * ```
 */
export async function pushArtifact(target: ContentTarget, artifact: SampleArtifact): Promise<void> {
  await target.push(artifact.config.desc, artifact.config.bytes)
  await target.push(artifact.layer.desc, artifact.layer.bytes)
  await target.push(artifact.manifest.desc, artifact.manifest.bytes)
}

/**
 * Everything `fetch(desc)` returns.
 *
 * @example
 * ```ts
 * expect(await fetchAll(target, a.layer.desc)).toEqual(a.layer.bytes)
 * ```
 */
export async function fetchAll(target: ContentTarget, desc: Descriptor): Promise<Buffer> {
  return buffer(await target.fetch(desc))
}

/**
 * The same bytes as a stream of small chunks.
 *
 * @example
 * ```ts
 * await target.push(desc, streamOf(bytes))
 * ```
 */
export function streamOf(bytes: Buffer): Readable {
  const chunks: Buffer[] = []
  for (let i = 0; i < bytes.length; i += 97) chunks.push(bytes.subarray(i, i + 97))
  return Readable.from(chunks)
}

/**
 * The fields of a descriptor a resolve must return as pushed.
 *
 * @example
 * ```ts
 * expect(identity(await target.resolve('v1'))).toEqual(identity(a.manifest.desc))
 * ```
 */
export function identity(desc: Descriptor): Pick<Descriptor, 'mediaType' | 'digest' | 'size'> {
  return { mediaType: desc.mediaType, digest: desc.digest, size: desc.size }
}

function blob(mediaType: string, bytes: Buffer): Blob {
  return { desc: describeBytes(mediaType, bytes), bytes }
}
