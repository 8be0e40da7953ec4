// For transport authors (a ContentTarget over a registry, a directory, an archive):
// `import { mediaTypes, sha256Digest } from '@squizzle/core/oci'`. A deploy script needs none of it.
export type { ContentTarget } from './content-target.js'
export type { Descriptor, ImageManifest, ImageIndex } from './descriptor.js'
export { mediaTypes, annotations, emptyJsonBlob } from './media-types.js'
export { sha256Digest, isDigest, describeBytes, assertDigest, verifyingStream } from './digest.js'
export { digestMismatch, type DigestCheck } from './digest.js'
export {
  bundleImageManifest,
  parseBundleImageManifest,
  parseImageManifest,
  parseImageIndex,
} from './bundle-artifact.js'
export { referrersTag, isReferrersTag, readReferrers, addReferrer } from './referrers.js'
export { maxManifestBytes } from '../bundle/limits.js'
export { readSmall } from '../util/read-stream.js'
