import { readdir, stat } from 'node:fs/promises'
import { SquizzleError, type ContentTarget } from '@squizzle/core'
import type { StorageLocation } from './storage-url.js'

/**
 * What a command does with its storage. `read`: it must exist (apply, status, list,
 * verify, the source of push and pull, …), or a typo in --storage would make a deploy
 * a silent no-op. `create`: it may be created on the first write (build, init, the
 * destination of push and pull).
 */
export type StorageUse = 'read' | 'create'

/**
 * Refuses a storage the command cannot use, before it reads anything from it.
 * A `file:` storage must be an OCI image layout (a directory with `oci-layout`);
 * for `create`, a missing or empty directory is fine too. A registry repository
 * exists once it has a tag (registries have no empty repositories), which only
 * `read` checks.
 *
 * @example
 * ```ts
 * await assertStorageUsable(parseStorageUrl('file:/srv/artifacts', root), target, 'read')
 * ```
 */
export async function assertStorageUsable(location: StorageLocation, target: ContentTarget, use: StorageUse): Promise<void> {
  if (location.scheme === 'file') return assertLayout(location.path, use)
  if (use === 'create' || !target.tags) return
  for await (const _tag of target.tags()) return
  const name = `oci://${location.registry.registry}/${location.registry.repository}`
  throw notFound(`${name} has no tags: the repository does not exist`, name, 'Check the registry host and repository name in --storage (or SQUIZZLE_STORAGE / storage in the config), or push a version first.')
}

async function assertLayout(path: string, use: StorageUse): Promise<void> {
  const kind = await stat(path).then((s) => (s.isDirectory() ? 'directory' : 'other'), () => 'missing' as const)
  const fix = 'Check the path in --storage (or SQUIZZLE_STORAGE / storage in the config)'
  if (kind === 'other') throw notFound(`${path} is a file, not an OCI image layout directory`, path, `${fix}.`)
  if (kind === 'missing') {
    if (use === 'create') return
    throw notFound(`no storage at ${path}: the directory does not exist`, path, `${fix}; run \`squizzle build\` or \`squizzle pull\` to create it.`)
  }
  const entries = await readdir(path)
  if (entries.includes('oci-layout')) return
  if (entries.length === 0) {
    if (use === 'create') return
    throw notFound(`${path} is an empty directory, not an OCI image layout: nothing was built or pulled there`, path, `${fix}; run \`squizzle build\` or \`squizzle pull\` to fill it.`)
  }
  throw notFound(`${path} is a directory with other files but no oci-layout: not an OCI image layout`, path, `${fix}; point it at the layout directory (with oci-layout, index.json, blobs/), or at an empty or new one.`)
}

function notFound(message: string, storage: string, hint: string): SquizzleError {
  return new SquizzleError('STORAGE_NOT_FOUND', message, { hint, details: { storage } })
}
