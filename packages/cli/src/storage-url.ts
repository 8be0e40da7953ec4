import { isAbsolute, resolve } from 'node:path'
import { SquizzleError, type ArtifactStorage } from '@squizzle/core'
import { createFilesystemStorage } from '@squizzle/storage-filesystem'

/** A storage URL, parsed: which transport and where. */
export type StorageLocation = { scheme: 'file'; path: string }

/**
 * Parses `--storage` / `SQUIZZLE_STORAGE`. Relative `file:` paths resolve against `root`.
 *
 * @example
 * ```ts
 * parseStorageUrl('file:.squizzle/artifacts', '/srv/app') // { scheme: 'file', path: '/srv/app/.squizzle/artifacts' }
 * ```
 */
export function parseStorageUrl(url: string, root: string): StorageLocation {
  if (url.startsWith('file:')) {
    const raw = url.slice('file:'.length).replace(/^\/\/(?=\/)/, '')
    if (raw === '' || raw.includes('\0')) throw invalid(url)
    return { scheme: 'file', path: isAbsolute(raw) ? raw : resolve(root, raw) }
  }
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
export async function openStorage(location: StorageLocation): Promise<ArtifactStorage> {
  return createFilesystemStorage(location.path)
}

function invalid(url: string): SquizzleError {
  return new SquizzleError('STORAGE_URL_INVALID', `"${url}" is not a storage URL Squizzle understands`, {
    hint: 'Use file:PATH for a local OCI image layout (default file:.squizzle/artifacts).',
  })
}
