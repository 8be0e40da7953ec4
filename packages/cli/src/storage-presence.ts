import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { SquizzleError, type ContentTarget } from '@squizzle/core'
import { OciLayoutTarget } from '@squizzle/storage-filesystem'
import type { StorageLocation } from './storage-url.js'

/**
 * Whether a command needs its storage to exist. `required`: apply, status, list,
 * verify, diff, sbom, sign, baseline, the source of push and pull; otherwise a typo
 * in --storage would make a deploy a silent no-op. `create`: a missing local layout
 * is created (build, init, the destination of pull and import). `optional`: it may be missing
 * and nothing is created (the registry push writes to; rollback and repair, which
 * work from what the database kept).
 */
export type StorageUse = 'required' | 'create' | 'optional'

/**
 * Refuses a storage the command cannot use, before it reads anything from it, and
 * creates a missing local layout for `create`. A `file:` storage must be an OCI
 * image layout (a directory with `oci-layout`); unless `required`, a missing or
 * empty directory is fine too (or one a killed first write left, see `onlySkeleton`),
 * a file or a foreign directory never. A registry
 * repository exists once it has a tag (registries have no empty repositories),
 * which only `required` checks. Returns whether it created the layout.
 *
 * @example
 * ```ts
 * await prepareStorage(parseStorageUrl('file:/srv/artifacts', root), storage.target, 'required')
 * ```
 */
export async function prepareStorage(
  location: StorageLocation,
  target: ContentTarget,
  use: StorageUse,
): Promise<{ created: boolean }> {
  if (location.scheme === 'file') {
    const exists = await assertLayout(location.path, use)
    if (exists || use !== 'create') return { created: false }
    await new OciLayoutTarget(location.path).create()
    return { created: true }
  }
  if (use !== 'required' || !target.tags) return { created: false }
  for await (const _tag of target.tags()) return { created: false }
  const name = `oci://${location.registry.registry}/${location.registry.repository}`
  const hint = `Check the registry host and repository name in ${where}, or push a version first.`
  throw notFound(`${name} has no tags: the repository does not exist`, name, hint)
}

const where = '--storage (or SQUIZZLE_STORAGE / storage in the config)'
const fillIt = 'run `squizzle build` or `squizzle pull` to fill it'

/** True when `path` is an OCI layout, false when it may become one; throws otherwise. */
async function assertLayout(path: string, use: StorageUse): Promise<boolean> {
  const kind = await stat(path).then(
    (s) => (s.isDirectory() ? 'directory' : 'other'),
    () => 'missing' as const,
  )
  const fix = `Check the path in ${where}`
  if (kind === 'other') throw notFound(`${path} is a file, not an OCI image layout directory`, path, `${fix}.`)
  if (kind === 'missing') {
    if (use !== 'required') return false
    throw notFound(`no storage at ${path}: the directory does not exist`, path, `${fix}; ${fillIt}.`)
  }
  const entries = await readdir(path)
  if (entries.includes('oci-layout')) return true
  if (await onlySkeleton(path, entries)) {
    if (use !== 'required') return false
    const message = `${path} holds no OCI image layout (no oci-layout file): nothing was built or pulled there`
    throw notFound(message, path, `${fix}; ${fillIt}.`)
  }
  const message = `${path} is a directory with other files but no oci-layout: not an OCI image layout`
  const hint = `${fix}; point it at the layout (the directory with oci-layout, index.json, blobs/) or a new one.`
  throw notFound(message, path, hint)
}

/**
 * Empty, or what a killed first write left: the layout's own `blobs/` (no blob in
 * it) and `ingest/` folders, created before `oci-layout`. Nothing was stored there.
 */
async function onlySkeleton(path: string, entries: string[]): Promise<boolean> {
  if (entries.some((name) => name !== 'blobs' && name !== 'ingest')) return false
  if (!entries.includes('blobs')) return true
  const algorithms = await readdir(join(path, 'blobs')).catch(() => null)
  if (algorithms === null) return false
  for (const algorithm of algorithms) {
    if (algorithm !== 'sha256' || (await readdir(join(path, 'blobs', algorithm)).catch(() => [''])).length > 0) {
      return false
    }
  }
  return true
}

function notFound(message: string, storage: string, hint: string): SquizzleError {
  return new SquizzleError('STORAGE_NOT_FOUND', message, { hint, details: { storage } })
}
