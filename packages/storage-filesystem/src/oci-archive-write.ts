import { randomBytes } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdtemp, readdir, rename, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, dirname, join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import tar from 'tar-stream'
import { copyVersion, parsePinnedVersion, type ContentTarget } from '@squizzle/core'
import { storageError } from './layout-errors.js'
import { LayoutPaths } from './layout-paths.js'
import { OciLayoutTarget } from './oci-layout-target.js'

/** One version written to an archive. */
export interface ArchivedVersion {
  version: string
  /** Its OCI image-manifest digest (what `apply VERSION@DIGEST` pins). */
  digest: string
}

/**
 * Writes versions, each with its signatures, SBOM, provenance and their referrers
 * index (fallback tag), from `source` into one OCI archive file: an uncompressed
 * tar of an OCI image layout (`oci-layout`, `index.json` naming each version by
 * `org.opencontainers.image.ref.name`, `blobs/sha256/`), which is what
 * `skopeo copy oci-archive:FILE:1.2.0 …` reads. Every byte is verified on the
 * way; the file appears complete or not at all. References may pin a digest
 * (`1.2.0@sha256:…`).
 *
 * @example
 * ```ts
 * await writeOciArchive(registry.target, ['1.1.0', '1.2.0'], '/media/usb/db-1.2.0.tar')
 * ```
 */
export async function writeOciArchive(
  source: ContentTarget,
  references: readonly string[],
  file: string,
): Promise<ArchivedVersion[]> {
  const work = await mkdtemp(join(tmpdir(), 'squizzle-export-'))
  try {
    const layout = new OciLayoutTarget(join(work, 'layout'))
    const archived: ArchivedVersion[] = []
    for (const reference of references) {
      const desc = await copyVersion(source, layout, reference)
      archived.push({ version: parsePinnedVersion(reference).version, digest: desc.digest })
    }
    await tarLayout(new LayoutPaths(join(work, 'layout')), file)
    return archived
  } finally {
    await rm(work, { recursive: true, force: true })
  }
}

/**
 * Tars a layout into `file` through a temporary file next to it, renamed at the end.
 * Entries are in a fixed order with fixed owners, modes and times, so the same
 * versions give the same bytes; the layout's own `ingest/` scratch folder is left out.
 */
async function tarLayout(paths: LayoutPaths, file: string): Promise<void> {
  const partial = join(dirname(file), `.${basename(file)}.${randomBytes(6).toString('hex')}.partial`)
  const pack = tar.pack()
  const written = pipeline(pack, createWriteStream(partial, { flags: 'wx' }))
  try {
    await addFile(pack, 'oci-layout', paths.layoutFile)
    await addFile(pack, 'index.json', paths.indexFile)
    pack.entry({ ...fixed, name: 'blobs/', type: 'directory', mode: 0o755 })
    pack.entry({ ...fixed, name: 'blobs/sha256/', type: 'directory', mode: 0o755 })
    for (const name of (await readdir(paths.blobsDir)).sort())
      await addFile(pack, `blobs/sha256/${name}`, join(paths.blobsDir, name))
    pack.finalize()
    await written
    await rename(partial, file)
  } catch (err) {
    pack.destroy()
    await written.catch(() => undefined)
    await rm(partial, { force: true })
    throw storageError(`write the archive ${file}`, err)
  }
}

const fixed = { mtime: new Date(0), uid: 0, gid: 0, uname: '', gname: '' }

async function addFile(pack: tar.Pack, name: string, path: string): Promise<void> {
  const { size } = await stat(path)
  const entry = pack.entry({ ...fixed, name, size, mode: 0o644, type: 'file' })
  await pipeline(createReadStream(path), entry)
}
