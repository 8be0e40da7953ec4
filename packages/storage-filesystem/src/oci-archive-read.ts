import { createHash } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { Transform, type TransformCallback } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import tar from 'tar-stream'
import { isSquizzleError, SquizzleError, type ContentTarget } from '@squizzle/core'
import { storageError } from './layout-errors.js'
import { OciLayoutTarget } from './oci-layout-target.js'
import { readOnlyTarget } from './read-only-target.js'

/** Upper bounds for an archive being opened; anything beyond is refused. */
export interface ArchiveLimits {
  /** Size of the archive file. Default 16 GiB. */
  maxArchiveBytes: number
  /** Entries in the tar. Default 100 000. */
  maxEntries: number
  /** Size of `index.json` and `oci-layout`. Default 64 MiB. */
  maxIndexBytes: number
}

export const defaultArchiveLimits: ArchiveLimits = {
  maxArchiveBytes: 16 * 1024 ** 3,
  maxEntries: 100_000,
  maxIndexBytes: 64 * 1024 ** 2,
}

/** An opened archive: a read-only target over its verified, extracted layout. */
export interface OciArchive {
  readonly target: ContentTarget
  /** Deletes the extracted copy. */
  dispose(): Promise<void>
}

/**
 * Opens an OCI archive (a tar of an OCI image layout, as `writeOciArchive` and
 * `skopeo copy … oci-archive:FILE` write it) for reading. The tar is untrusted: only
 * `oci-layout`, `index.json`, `blobs/`, `blobs/sha256/` and `blobs/sha256/<64 hex>`
 * are accepted (an optional leading `./`); links, devices, absolute paths, `..`,
 * duplicates and anything else are refused with `ARCHIVE_UNSAFE`, every blob must
 * hash to its name (`DIGEST_MISMATCH`), and sizes are bounded. It is extracted to a
 * private temporary folder; the returned target refuses writes.
 *
 * @example
 * ```ts
 * const archive = await openOciArchive('/media/usb/db-1.2.0.tar')
 * try { await importVersions(archive.target, layout) } finally { await archive.dispose() }
 * ```
 */
export async function openOciArchive(
  file: string,
  options: { limits?: Partial<ArchiveLimits> } = {},
): Promise<OciArchive> {
  const limits = { ...defaultArchiveLimits, ...options.limits }
  const { size } = await stat(file).catch((err: unknown) => {
    throw storageError(`read the archive ${file}`, err)
  })
  if (size > limits.maxArchiveBytes)
    throw unsafe(`${file} is ${size} bytes, more than the ${limits.maxArchiveBytes} allowed`)
  const work = await mkdtemp(join(tmpdir(), 'squizzle-import-'))
  try {
    const root = join(work, 'layout')
    await mkdir(root, { mode: 0o700 })
    await extractLayout(file, root, limits)
    return {
      target: readOnlyTarget(new OciLayoutTarget(root), `oci-archive:${resolve(file)}`),
      dispose: () => rm(work, { recursive: true, force: true }),
    }
  } catch (err) {
    await rm(work, { recursive: true, force: true })
    throw err
  }
}

type EntryKind = { kind: 'dir' } | { kind: 'json'; name: string } | { kind: 'blob'; digest: string }

async function extractLayout(file: string, root: string, limits: ArchiveLimits): Promise<void> {
  const extract = tar.extract()
  const reading = pipeline(createReadStream(file), extract).then(
    () => undefined,
    (err: unknown) => err,
  )
  const seen = new Set<string>()
  try {
    for await (const entry of extract) await extractEntry(entry, root, limits, seen)
  } catch (err) {
    extract.destroy()
    const streamError = await Promise.race([reading, Promise.resolve(undefined)])
    throw translate(streamError ?? err, file)
  }
  const streamError = await reading
  if (streamError !== undefined) throw translate(streamError, file)
  for (const required of ['oci-layout', 'index.json']) {
    if (!seen.has(required)) throw unsafe(`${file} has no ${required}: it is not an OCI archive`)
  }
}

/** An entry as the archive's reader yields it (tar-stream does not name the type). */
type ArchiveEntry = tar.Extract extends AsyncIterable<infer E> ? E : never

/** Checks one archive entry against the limits and the layout's shape, then writes it (a blob digest-checked). */
async function extractEntry(
  entry: ArchiveEntry,
  root: string,
  limits: ArchiveLimits,
  seen: Set<string>,
): Promise<void> {
  if (seen.size >= limits.maxEntries) throw unsafe(`more than ${limits.maxEntries} entries`)
  const name = entryName(entry.header)
  if (seen.has(name)) throw unsafe(`entry ${name} appears twice`)
  seen.add(name)
  const kind = classify(name)
  if (kind.kind === 'dir') {
    if (entry.header.type !== 'directory') throw unsafe(`entry ${name} must be a directory`)
    await mkdir(join(root, name), { recursive: true, mode: 0o700 })
    entry.resume()
    return
  }
  if (entry.header.type !== 'file')
    throw unsafe(`entry ${name} is a ${entry.header.type ?? 'special entry'}; only regular files are allowed`)
  if (kind.kind === 'json' && (entry.header.size ?? 0) > limits.maxIndexBytes)
    throw unsafe(`${name} is larger than ${limits.maxIndexBytes} bytes`)
  await mkdir(join(root, 'blobs', 'sha256'), { recursive: true, mode: 0o700 })
  const path =
    kind.kind === 'json' ? join(root, kind.name) : join(root, 'blobs', 'sha256', kind.digest.slice('sha256:'.length))
  await pipeline(
    entry,
    digestCheck(kind.kind === 'blob' ? kind.digest : null, name),
    createWriteStream(path, { flags: 'wx', mode: 0o600 }),
  )
}

/** The entry's path without a leading `./` or trailing `/`; refuses absolute paths, `..` and odd characters. */
function entryName(header: tar.Header): string {
  const raw = header.name
  if (raw.startsWith('/') || /^[A-Za-z]:/.test(raw)) throw unsafe(`entry ${JSON.stringify(raw)} has an absolute path`)
  if (raw.includes('\\') || raw.includes('\0')) throw unsafe(`entry ${JSON.stringify(raw)} has a forbidden character`)
  const name = raw.replace(/^\.\//, '').replace(/\/$/, '')
  if (name === '.' || name === '') return ''
  if (name.split('/').some((part) => part === '..' || part === '.' || part === '')) {
    throw unsafe(`entry ${JSON.stringify(raw)} has a relative or empty path segment`)
  }
  return name
}

function classify(name: string): EntryKind {
  if (name === '' || name === 'blobs' || name === 'blobs/sha256') return { kind: 'dir' }
  if (name === 'oci-layout' || name === 'index.json') return { kind: 'json', name }
  const blob = /^blobs\/sha256\/([0-9a-f]{64})$/.exec(name)
  if (blob) return { kind: 'blob', digest: `sha256:${blob[1]}` }
  throw unsafe(`entry ${JSON.stringify(name.slice(0, 200))} does not belong in an OCI image layout`)
}

/** Passes bytes through; at the end, fails with `DIGEST_MISMATCH` unless they hash to `digest` (when given). */
function digestCheck(digest: string | null, name: string): Transform {
  const hash = createHash('sha256')
  return new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, callback: TransformCallback) {
      if (digest !== null) hash.update(chunk)
      callback(null, chunk)
    },
    flush(callback: TransformCallback) {
      const actual = `sha256:${hash.digest('hex')}`
      if (digest === null || actual === digest) return callback()
      callback(
        new SquizzleError(
          'DIGEST_MISMATCH',
          `archive entry ${name} does not hash to its name (it hashes to ${actual})`,
          {
            hint:
              'The archive was altered or damaged in transit. Nothing was imported; ' +
              'export it again from a trusted storage.',
            details: { expected: digest, actual },
          },
        ),
      )
    },
  })
}

function unsafe(message: string): SquizzleError {
  return new SquizzleError('ARCHIVE_UNSAFE', `archive refused: ${message}`, {
    hint:
      'Nothing was imported. Use an archive written by an export of Squizzle ' +
      '(or `skopeo copy … oci-archive:FILE`) and check it was not altered.',
    remedies: [{ operation: 'export', args: ['<version>...'], options: { output: '<file>' } }],
  })
}

function translate(err: unknown, file: string): unknown {
  if (isSquizzleError(err)) return err
  const message = err instanceof Error ? err.message : String(err)
  return new SquizzleError('ARCHIVE_UNSAFE', `archive ${file} could not be read: ${message}`, {
    hint: 'The file is truncated or not a tar archive. Nothing was imported; copy or export it again.',
    cause: err,
  })
}
