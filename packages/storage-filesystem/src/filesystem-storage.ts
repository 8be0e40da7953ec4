import { createTargetStorage, type ArtifactStorage, type ContentTarget } from '@squizzle/core'
import { OciLayoutTarget } from './oci-layout-target.js'

/**
 * An {@link ArtifactStorage} in an OCI image-layout directory: versions are tags
 * in `index.json`, bundles ORAS-shaped artifacts under `blobs/sha256/`, so the
 * directory can be copied to or from a registry with `skopeo` or `oras`. The
 * directory is created on the first push. `target` is the underlying
 * {@link OciLayoutTarget}, for `copyVersion`.
 *
 * @example
 * ```ts
 * import { createFilesystemStorage } from '@squizzle/storage-filesystem'
 *
 * const storage = createFilesystemStorage('.squizzle/artifacts')
 * const ref = await storage.push({ manifest, bundle })
 * const { manifest: stored, open } = await storage.pull('1.4.0')
 * ```
 */
export function createFilesystemStorage(dir: string): ArtifactStorage & { readonly target: ContentTarget } {
  return createTargetStorage(new OciLayoutTarget(dir))
}
