import { join, resolve } from 'node:path'
import { SquizzleError, type Descriptor } from '@squizzle/core'
import { isDigest } from '@squizzle/core/oci'
import { ingestName } from './ingest-files.js'

/**
 * Where things live inside an OCI image layout (image-spec `image-layout.md`).
 * Every blob path goes through {@link LayoutPaths.blob}, which accepts only a
 * well-formed `sha256:<hex>` digest: digests come from untrusted manifests, and
 * `sha256:../../x` must never become a path.
 *
 * @example
 * ```ts
 * const paths = new LayoutPaths('.squizzle/artifacts')
 * paths.blob('sha256:44136fa3…') // '/abs/.squizzle/artifacts/blobs/sha256/44136fa3…'
 * ```
 */
export class LayoutPaths {
  readonly root: string
  readonly layoutFile: string
  readonly indexFile: string
  readonly blobsDir: string
  /** Temporary files, renamed into place once complete (as oras-go does). */
  readonly ingestDir: string

  constructor(dir: string) {
    this.root = resolve(dir)
    this.layoutFile = join(this.root, 'oci-layout')
    this.indexFile = join(this.root, 'index.json')
    this.blobsDir = join(this.root, 'blobs', 'sha256')
    this.ingestDir = join(this.root, 'ingest')
  }

  /** `blobs/sha256/<hex>` of a digest; throws `MANIFEST_INVALID` for anything but sha256 hex. */
  blob(digest: string): string {
    assertSha256(digest)
    return join(this.blobsDir, digest.slice('sha256:'.length))
  }

  /** A fresh, unique temporary file name in `ingest/`, naming the process that writes it (see `sweepIngest`). */
  ingestFile(suffix = ''): string {
    return join(this.ingestDir, ingestName(suffix))
  }
}

/**
 * Throws `MANIFEST_INVALID` unless `digest` is `sha256:<64 lower-case hex>`.
 *
 * @example
 * ```ts
 * assertSha256(desc.digest)
 * ```
 */
export function assertSha256(digest: string): void {
  if (isDigest(digest)) return
  throw new SquizzleError(
    'MANIFEST_INVALID',
    `digest ${JSON.stringify(String(digest).slice(0, 100))} is not sha256:<64 hex>`,
    {
      hint: 'Squizzle stores only sha256 content. The descriptor comes from a damaged or foreign manifest; re-copy the version from a trusted source.',
    },
  )
}

/**
 * Throws `MANIFEST_INVALID` unless the descriptor has a sha256 digest and a sane size.
 *
 * @example
 * ```ts
 * assertDescriptor({ mediaType: 'application/octet-stream', digest, size: 42 })
 * ```
 */
export function assertDescriptor(desc: Descriptor): void {
  assertSha256(desc.digest)
  if (!Number.isSafeInteger(desc.size) || desc.size < 0) {
    throw new SquizzleError('MANIFEST_INVALID', `descriptor ${desc.digest} has an invalid size ${String(desc.size)}`, {
      hint: 'The descriptor comes from a damaged manifest; re-copy the version from a trusted source.',
    })
  }
}
