import { hasErrorCode } from '@squizzle/core'
import { isDigest, type ImageIndex } from '@squizzle/core/oci'
import { isFile } from './blob-store.js'
import type { LayoutPaths } from './layout-paths.js'
import { isManifestType, readManifestBlob } from './manifest-blob.js'

/**
 * Every digest reachable from `index`: its entries, and through each manifest
 * its config and layers, through each index its manifests, recursively. A
 * referrer's `subject` is a back-reference and keeps nothing alive. Entries whose
 * blob is missing are tolerated; a reachable manifest that cannot be read throws,
 * because collecting without knowing what it references could delete live blobs.
 *
 * @example
 * ```ts
 * const live = await reachableDigests(paths, index)
 * ```
 */
export async function reachableDigests(paths: LayoutPaths, index: ImageIndex): Promise<Set<string>> {
  const seen = new Set<string>()
  const queue = [...index.manifests]
  for (let desc = queue.pop(); desc !== undefined; desc = queue.pop()) {
    if (seen.has(desc.digest)) continue
    seen.add(desc.digest)
    if (!isDigest(desc.digest) || !isManifestType(desc.mediaType)) continue
    if (!(await isFile(paths.blob(desc.digest)))) continue
    queue.push(...(await readManifestBlob(paths, desc.digest)).children)
  }
  return seen
}

/**
 * The blobs a manifest directly references (config, layers; or an index's
 * manifests), which may become garbage when it goes. A manifest too damaged to
 * read yields none: its children are then left in place rather than guessed at.
 *
 * @example
 * ```ts
 * const candidates = [desc.digest, ...(await childDigests(paths, desc.digest))]
 * ```
 */
export async function childDigests(paths: LayoutPaths, digest: string): Promise<string[]> {
  try {
    return (await readManifestBlob(paths, digest)).children.map((c) => c.digest).filter(isDigest)
  } catch (err) {
    if (hasErrorCode(err, 'DIGEST_MISMATCH') || hasErrorCode(err, 'MANIFEST_INVALID')) return []
    throw err
  }
}
