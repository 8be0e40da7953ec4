import { SquizzleError } from '../errors/squizzle-error.js'
import { canonicalJson } from '../manifest/canonical-json.js'
import type { Manifest } from '../manifest/manifest.js'
import { validateImageIndexShape } from '../schema/validators/validate-image-index-shape.js'
import { validateImageManifestShape } from '../schema/validators/validate-image-manifest-shape.js'
import { schemaCheck } from '../schema/schema-check.js'
import type { Descriptor, ImageIndex, ImageManifest } from './descriptor.js'
import { describeBytes } from './digest.js'
import { annotations, mediaTypes } from './media-types.js'

const badArtifact =
  'The reference does not point at a Squizzle bundle, or the registry returned something else. Check the ' +
  'storage URL and version.'
const checkImageManifest = schemaCheck<ImageManifest>(() => validateImageManifestShape, 'MANIFEST_INVALID', badArtifact)
const checkImageIndex = schemaCheck<ImageIndex>(() => validateImageIndexShape, 'MANIFEST_INVALID', badArtifact)

/**
 * Builds the OCI image manifest of a bundle: artifactType, config = the Squizzle
 * manifest, one layer = the bundle, version and created annotations. Returns the
 * manifest bytes (canonical JSON) and their descriptor.
 *
 * @example
 * ```ts
 * const { bytes, desc } = bundleImageManifest(manifest, configDesc, layerDesc)
 * ```
 */
export function bundleImageManifest(
  manifest: Manifest,
  config: Descriptor,
  layer: Descriptor,
): { manifest: ImageManifest; bytes: Buffer; desc: Descriptor } {
  const image: ImageManifest = {
    schemaVersion: 2,
    mediaType: mediaTypes.imageManifest,
    artifactType: mediaTypes.bundleArtifact,
    config: { mediaType: mediaTypes.squizzleManifest, digest: config.digest, size: config.size },
    layers: [
      {
        mediaType: mediaTypes.bundleLayer,
        digest: layer.digest,
        size: layer.size,
        annotations: { [annotations.title]: `squizzle-${manifest.version}.tar.gz` },
      },
    ],
    annotations: { [annotations.version]: manifest.version, [annotations.created]: manifest.created },
  }
  const bytes = Buffer.from(canonicalJson(image), 'utf8')
  const desc = describeBytes(mediaTypes.imageManifest, bytes, { artifactType: mediaTypes.bundleArtifact })
  return { manifest: image, bytes, desc }
}

/**
 * Parses OCI image manifest bytes and checks they describe a Squizzle bundle;
 * returns the config (Squizzle manifest) and bundle layer descriptors.
 *
 * @example
 * ```ts
 * const { config, layer } = parseBundleImageManifest(bytes, 'oci://ghcr.io/acme/db:1.2.0')
 * ```
 */
export function parseBundleImageManifest(
  bytes: Uint8Array,
  source: string,
): { image: ImageManifest; config: Descriptor; layer: Descriptor } {
  const image = checkImageManifest(parseJson(bytes, source), source)
  if (image.mediaType !== undefined && image.mediaType !== mediaTypes.imageManifest) {
    throw notBundle(source, `media type ${image.mediaType}`)
  }
  if (image.config.mediaType !== mediaTypes.squizzleManifest)
    throw notBundle(source, `config media type ${image.config.mediaType}`)
  const layer = image.layers[0]
  if (image.layers.length !== 1 || !layer || layer.mediaType !== mediaTypes.bundleLayer) {
    throw notBundle(source, `layers ${image.layers.map((l) => l.mediaType).join(', ') || '(none)'}`)
  }
  return { image, config: image.config, layer }
}

/**
 * Parses and validates an OCI image manifest of any artifact (attachments).
 *
 * @example
 * ```ts
 * const image = parseImageManifest(bytes, 'signature of 1.2.0')
 * ```
 */
export function parseImageManifest(bytes: Uint8Array, source: string): ImageManifest {
  return checkImageManifest(parseJson(bytes, source), source)
}

/**
 * Parses and validates an OCI image index (`index.json`, a referrers list).
 *
 * @example
 * ```ts
 * const index = parseImageIndex(await readFile('index.json'), 'index.json')
 * ```
 */
export function parseImageIndex(bytes: Uint8Array, source: string): ImageIndex {
  return checkImageIndex(parseJson(bytes, source), source)
}

function parseJson(bytes: Uint8Array, source: string): unknown {
  try {
    return JSON.parse(Buffer.from(bytes).toString('utf8'))
  } catch (cause) {
    throw new SquizzleError('MANIFEST_INVALID', `${source}: not valid JSON`, { cause, hint: badArtifact })
  }
}

function notBundle(source: string, what: string): SquizzleError {
  return new SquizzleError('MANIFEST_INVALID', `${source} is not a Squizzle bundle (${what})`, { hint: badArtifact })
}
