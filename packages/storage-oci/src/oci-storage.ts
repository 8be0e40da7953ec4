import { createTargetStorage, type ArtifactStorage } from '@squizzle/core'
import { OciRegistryTarget, type OciRegistryOptions } from './oci-registry-target.js'
import { parseRegistryUrl, type RegistryLocation } from './registry-url.js'

/** Options of {@link createOciStorage}. */
export interface OciStorageOptions extends OciRegistryOptions {
  /** Use plain HTTP even without `?plain-http=true` in the URL (never guessed). */
  plainHttp?: boolean
}

/**
 * An {@link ArtifactStorage} in a registry repository: versions are tags, bundles
 * ORAS-shaped artifacts, attachments found through the referrers API or the
 * `sha256-<hex>` fallback tag. Nothing is contacted until the first call.
 * `target` is the underlying {@link OciRegistryTarget}, for `copyVersion`.
 *
 * @example
 * ```ts
 * import { createOciStorage, dockerCredentials } from '@squizzle/storage-oci'
 *
 * const storage = createOciStorage('oci://ghcr.io/acme/db-migrations', {
 *   credentials: (registry) => dockerCredentials(registry, { env: process.env }),
 * })
 * const versions = await storage.list()
 * ```
 */
export function createOciStorage(
  url: string | RegistryLocation,
  options: OciStorageOptions = {},
): ArtifactStorage & { readonly target: OciRegistryTarget } {
  const location = typeof url === 'string' ? parseRegistryUrl(url, { plainHttp: options.plainHttp === true }) : url
  const target = new OciRegistryTarget(location, options)
  // createTargetStorage keeps the target it wraps as `target`; only its static type is narrowed here.
  return createTargetStorage(target) as ArtifactStorage & { readonly target: OciRegistryTarget }
}
