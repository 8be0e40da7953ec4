import { isAbsolute, resolve } from 'node:path'
import { SquizzleError, type ArtifactStorage, type ContentTarget } from '@squizzle/core'
import { createFilesystemStorage } from '@squizzle/storage-filesystem'
import type { CredentialSource, RetryPolicy } from '@squizzle/storage-oci'
// The URL grammar alone (a subpath): the registry client is imported only to open a registry.
import { parseRegistryUrl, type RegistryLocation } from '@squizzle/storage-oci/registry-url'

/** A storage URL, parsed: which transport and where. */
export type StorageLocation = { scheme: 'file'; path: string } | { scheme: 'oci'; registry: RegistryLocation }

/** What opening a registry storage needs besides its URL. */
export interface StorageAccess {
  /** Registry credentials (see `registryCredentials`); anonymous when absent. */
  credentials?: CredentialSource
  /** Retry and timeout settings of the registry client (see `registryRetry`); its defaults when absent. */
  retry?: Partial<RetryPolicy>
}

/**
 * Parses `--storage` / `SQUIZZLE_STORAGE`. Relative `file:` paths resolve against `root`;
 * `oci://` URLs use HTTPS unless `?plain-http=true` or `plainHttp` (the `--plain-http` flag) says otherwise.
 *
 * @example
 * ```ts
 * parseStorageUrl('file:.squizzle/artifacts', '/srv/app') // { scheme: 'file', path: '/srv/app/.squizzle/artifacts' }
 * parseStorageUrl('oci://ghcr.io/acme/db', '/srv/app')     // { scheme: 'oci', registry: { registry: 'ghcr.io', … } }
 * ```
 */
export function parseStorageUrl(url: string, root: string, options: { plainHttp?: boolean } = {}): StorageLocation {
  if (url.startsWith('file:')) {
    const raw = url.slice('file:'.length).replace(/^\/\/(?=\/)/, '')
    if (raw === '' || raw.includes('\0')) throw invalid(url)
    return { scheme: 'file', path: isAbsolute(raw) ? raw : resolve(root, raw) }
  }
  if (url.startsWith('oci://')) return { scheme: 'oci', registry: parseRegistryUrl(url, options) }
  throw invalid(url)
}

/**
 * Opens the storage a URL names.
 *
 * @example
 * ```ts
 * const storage = await openStorage(parseStorageUrl('file:.squizzle/artifacts', process.cwd()))
 * ```
 */
export async function openStorage(
  location: StorageLocation,
  access: StorageAccess = {},
): Promise<ArtifactStorage & { readonly target: ContentTarget }> {
  if (location.scheme === 'oci') {
    const { credentials, retry } = access
    // The registry client (HTTP, TLS, auth) is loaded only for a registry: most runs use a local layout.
    const { createOciStorage } = await import('./registry-storage.js')
    return createOciStorage(location.registry, { ...(credentials ? { credentials } : {}), ...(retry ? { retry } : {}) })
  }
  return createFilesystemStorage(location.path)
}

function invalid(url: string): SquizzleError {
  return new SquizzleError(
    'STORAGE_URL_INVALID',
    `"${url.replace(/\/\/[^/@]*@/, '//***@')}" is not a storage URL Squizzle understands`,
    {
      hint:
        'Use file:PATH for a local OCI image layout (default file:.squizzle/artifacts), oci://HOST[:PORT]/REPO ' +
        'for a registry, or a scheme a storage plugin listed in plugins registers.',
    },
  )
}
