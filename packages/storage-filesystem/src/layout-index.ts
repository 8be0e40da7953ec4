import { mkdir, open, rename, rm, type FileHandle } from 'node:fs/promises'
import { SquizzleError, type Descriptor } from '@squizzle/core'
import { annotations, mediaTypes, parseImageIndex, type ImageIndex } from '@squizzle/core/oci'
import { isMissing, storageError } from './layout-errors.js'
import type { LayoutPaths } from './layout-paths.js'
import { readRegular } from './regular-file.js'

/** index.json is untrusted input: refuse absurd sizes before reading it into memory. */
const maxIndexBytes = 64 * 1024 * 1024
const layoutVersion = '1.0.0'
/** `oci-layout` is one tiny JSON object. */
const maxLayoutFileBytes = 64 * 1024
const damagedIndex =
  'index.json of the OCI layout is damaged or was not written by an OCI tool. Restore it from a backup or re-copy the layout (e.g. with `skopeo copy`).'

/**
 * Reads and validates `index.json`; `null` when the layout (or its index) does
 * not exist yet. Throws `MANIFEST_INVALID` for malformed content.
 *
 * @example
 * ```ts
 * const index = await readIndex(paths)
 * const tags = index?.manifests.map((m) => m.annotations?.['org.opencontainers.image.ref.name'])
 * ```
 */
export async function readIndex(paths: LayoutPaths): Promise<ImageIndex | null> {
  let bytes: Buffer
  try {
    const tooLarge = (size: number) => invalid(paths, `index.json is ${size} bytes, more than ${maxIndexBytes}`)
    bytes = await readRegular(paths.indexFile, 'index.json', maxIndexBytes, tooLarge)
  } catch (err) {
    if (isMissing(err)) return null
    throw storageError(`read ${paths.indexFile}`, err)
  }
  try {
    return parseImageIndex(bytes, paths.indexFile)
  } catch (err) {
    throw invalid(paths, err instanceof Error ? err.message : String(err), err)
  }
}

/**
 * Replaces `index.json` atomically (temporary file, sync, rename), so readers
 * see the old or the new index, never a torn one. Callers serialize writers.
 * Always writes `schemaVersion` and `mediaType`, keeping other fields as they were.
 *
 * @example
 * ```ts
 * await writeIndex(paths, { schemaVersion: 2, manifests: [entry] })
 * ```
 */
export async function writeIndex(paths: LayoutPaths, index: ImageIndex): Promise<void> {
  const { schemaVersion: _version, mediaType: _type, manifests, ...rest } = index
  const body = { schemaVersion: 2, mediaType: mediaTypes.imageIndex, manifests, ...rest }
  await writeAtomically(paths, paths.indexFile, JSON.stringify(body))
}

/**
 * An index with no manifests, for a layout being created.
 *
 * @example
 * ```ts
 * const index = (await readIndex(paths)) ?? emptyIndex()
 * ```
 */
export function emptyIndex(): ImageIndex {
  return { schemaVersion: 2, mediaType: mediaTypes.imageIndex, manifests: [] }
}

/**
 * The tag an index entry carries, if any.
 *
 * @example
 * ```ts
 * const entry = index.manifests.find((m) => refNameOf(m) === '1.4.0')
 * ```
 */
export function refNameOf(desc: Descriptor): string | undefined {
  return desc.annotations?.[annotations.refName]
}

/**
 * Creates the layout skeleton (`oci-layout`, `blobs/sha256/`, `ingest/`) when
 * missing. Refuses with `STORAGE_UNSUPPORTED` to write into a layout of another
 * major version, whose rules we do not know.
 *
 * @example
 * ```ts
 * await ensureLayout(paths)
 * ```
 */
export async function ensureLayout(paths: LayoutPaths): Promise<void> {
  try {
    await mkdir(paths.blobsDir, { recursive: true })
    await mkdir(paths.ingestDir, { recursive: true })
  } catch (err) {
    throw storageError(`create the OCI layout ${paths.root}`, err)
  }
  let text: string
  try {
    const tooLarge = () => unsupported(paths, '(too large)')
    text = (await readRegular(paths.layoutFile, 'oci-layout', maxLayoutFileBytes, tooLarge)).toString('utf8')
  } catch (err) {
    if (!isMissing(err)) throw storageError(`read ${paths.layoutFile}`, err)
    await writeAtomically(paths, paths.layoutFile, JSON.stringify({ imageLayoutVersion: layoutVersion }))
    return
  }
  const version = parseLayoutVersion(text)
  if (!version?.startsWith('1.')) throw unsupported(paths, version ?? '(unreadable)')
}

function unsupported(paths: LayoutPaths, version: string): SquizzleError {
  return new SquizzleError('STORAGE_UNSUPPORTED', `${paths.root} is an OCI layout of version ${version}, not 1.x`, {
    hint: 'Use an empty directory, or one written by an OCI image-layout 1.x tool.',
  })
}

function parseLayoutVersion(text: string): string | undefined {
  try {
    const value = (JSON.parse(text) as { imageLayoutVersion?: unknown } | null)?.imageLayoutVersion
    return typeof value === 'string' ? value : undefined
  } catch {
    return undefined
  }
}

async function writeAtomically(paths: LayoutPaths, file: string, text: string): Promise<void> {
  const temp = paths.ingestFile('.json')
  let handle: FileHandle | undefined
  try {
    // Layouts written by other tools (skopeo) have no ingest/ directory.
    await mkdir(paths.ingestDir, { recursive: true })
    handle = await open(temp, 'wx')
    await handle.writeFile(text, 'utf8')
    await handle.sync()
    await handle.close()
    handle = undefined
    await rename(temp, file)
  } catch (err) {
    // Cleanup failures must not hide the original error, which is the one thrown.
    await handle?.close().catch(() => undefined)
    await rm(temp, { force: true }).catch(() => undefined)
    throw storageError(`write ${file}`, err)
  }
}

function invalid(paths: LayoutPaths, problem: string, cause?: unknown): SquizzleError {
  return new SquizzleError('MANIFEST_INVALID', `${paths.indexFile}: ${problem.replace(`${paths.indexFile}: `, '')}`, {
    hint: damagedIndex,
    ...(cause === undefined ? {} : { cause }),
  })
}
