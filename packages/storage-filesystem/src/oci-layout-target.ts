import type { Readable } from 'node:stream'
import { SquizzleError, type ContentTarget, type Descriptor, type TaggedDescriptor } from '@squizzle/core'
import { annotations } from '@squizzle/core/oci'
import { isFile, openBlob, removeBlob, writeBlob } from './blob-store.js'
import { notFound } from './layout-errors.js'
import { childDigests, reachableDigests } from './layout-gc.js'
import { sweepIngest } from './ingest-files.js'
import { emptyIndex, ensureLayout, readIndex, refNameOf, writeIndex } from './layout-index.js'
import { assertDescriptor, assertSha256, LayoutPaths } from './layout-paths.js'
import { readManifestBlob } from './manifest-blob.js'
import { layoutMutex, type Mutex } from './mutex.js'

/** OCI tag grammar (distribution spec), so every tag we write can also be pushed to a registry. */
const tagPattern = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/

/**
 * An OCI image-layout directory (`oci-layout`, `index.json`, `blobs/sha256/`) as a
 * {@link ContentTarget}: what `skopeo`, `oras` and `crane` read and write as
 * `oci:<dir>:<tag>`. The directory is created on first push. Blobs are written
 * atomically and verified while streaming; `index.json` updates are atomic and
 * serialized within the process (not across processes: run one writer at a time).
 *
 * @example
 * ```ts
 * import { copyVersion, createTargetStorage } from '@squizzle/core'
 * import { OciLayoutTarget } from '@squizzle/storage-filesystem'
 *
 * const layout = new OciLayoutTarget('./release-artifacts')
 * await copyVersion(registryTarget, layout, '1.4.0')
 * const storage = createTargetStorage(layout)
 * ```
 */
export class OciLayoutTarget implements ContentTarget {
  readonly name: string
  private readonly paths: LayoutPaths
  private readonly mutex: Mutex
  private swept: Promise<unknown> | undefined

  /** @param dir the layout directory, relative to the working directory or absolute; need not exist yet. */
  constructor(dir: string) {
    this.paths = new LayoutPaths(dir)
    this.name = `oci-layout:${this.paths.root}`
    this.mutex = layoutMutex(this.paths.root)
  }

  /**
   * Creates the layout skeleton (`oci-layout`, `blobs/sha256/`) when missing, so the
   * directory reads as an empty layout before anything is pushed; a no-op for an
   * existing 1.x layout, `STORAGE_UNSUPPORTED` for a layout of another major version.
   */
  async create(): Promise<void> {
    await ensureLayout(this.paths)
  }

  /**
   * Opens `blobs/sha256/<hex>`, verified as it streams (a damaged file fails with
   * `DIGEST_MISMATCH`, detected in storage); `VERSION_NOT_FOUND` when absent.
   */
  async fetch(desc: Descriptor): Promise<Readable> {
    await this.sweep()
    return openBlob(this.paths, desc)
  }

  /** Stores content under its digest, verified on the way in; a no-op when already stored. */
  async push(desc: Descriptor, content: Readable | Uint8Array): Promise<void> {
    try {
      assertDescriptor(desc)
      await ensureLayout(this.paths)
      await this.sweep()
    } catch (err) {
      // Nothing will read the caller's stream; release its file handle or socket now.
      if (!(content instanceof Uint8Array)) content.destroy()
      throw err
    }
    await writeBlob(this.paths, desc, content)
  }

  /** True when the blob is stored. */
  async exists(desc: Descriptor): Promise<boolean> {
    await this.sweep()
    return isFile(this.paths.blob(desc.digest))
  }

  /**
   * A digest resolves to any stored manifest or index (described from its own,
   * verified bytes); anything else is looked up as a tag in `index.json`.
   */
  async resolve(reference: string): Promise<Descriptor> {
    await this.sweep()
    // Tags cannot contain ':', so anything with one is a digest, and must be a sha256 one.
    if (reference.includes(':')) {
      assertSha256(reference)
      return (await readManifestBlob(this.paths, reference)).desc
    }
    const index = await readIndex(this.paths)
    if (!index) {
      throw notFound(
        `${reference} is not in ${this.name}: there is no OCI layout (index.json) there`,
        'Check the storage directory, or push a version to create the layout.',
      )
    }
    const entry = index.manifests.findLast((m) => refNameOf(m) === reference)
    if (!entry) throw notFound(`${reference} is not in ${this.name}`)
    assertDescriptor(entry)
    return withoutRefName(entry)
  }

  /**
   * Points the tag at a stored manifest, replacing any entry with that tag. Refuses
   * (`STORAGE_ERROR`) when a blob the manifest references is missing, so a tag never
   * names an incomplete version.
   */
  async tag(desc: Descriptor, reference: string): Promise<void> {
    assertTag(reference)
    assertSha256(desc.digest)
    await ensureLayout(this.paths)
    await this.sweep()
    await this.mutex.run(async () => {
      const blob = await readManifestBlob(this.paths, desc.digest)
      for (const child of blob.children) {
        if (!(await isFile(this.paths.blob(child.digest)))) {
          throw new SquizzleError(
            'STORAGE_ERROR',
            `cannot tag ${reference}: blob ${child.digest} of ${desc.digest} is missing from ${this.name}`,
            {
              hint: 'Push every blob before the manifest that references it, then tag again.',
            },
          )
        }
      }
      // The manifest's own bytes are the authority on its media and artifact type; its creation
      // time goes into the entry too, so listing versions reads index.json alone (see resolveTags).
      const artifactType = blob.desc.artifactType ?? desc.artifactType
      const created = blob.annotations[annotations.created]
      const entry: Descriptor = {
        mediaType: blob.desc.mediaType,
        digest: blob.desc.digest,
        size: blob.desc.size,
        ...(artifactType ? { artifactType } : {}),
        annotations: {
          ...withoutRefName(desc).annotations,
          ...(created === undefined ? {} : { [annotations.created]: created }),
          [annotations.refName]: reference,
        },
      }
      const index = (await readIndex(this.paths)) ?? emptyIndex()
      const manifests = index.manifests.filter((m) => refNameOf(m) !== reference)
      await writeIndex(this.paths, { ...index, manifests: [...manifests, entry] })
    })
  }

  /** Every tag in `index.json`; nothing when the layout does not exist. */
  async *tags(): AsyncGenerator<string> {
    await this.sweep()
    const index = await readIndex(this.paths)
    const seen = new Set<string>()
    for (const entry of index?.manifests ?? []) {
      const tag = refNameOf(entry)
      if (tag !== undefined && !seen.has(tag)) {
        seen.add(tag)
        yield tag
      }
    }
  }

  /**
   * Every tag of `index.json` with what `resolve(tag)` gives (the last entry of a tag wins),
   * from one read of the index; nothing when the layout does not exist.
   */
  async resolveTags(): Promise<TaggedDescriptor[]> {
    await this.sweep()
    const byTag = new Map<string, Descriptor>()
    for (const entry of (await readIndex(this.paths))?.manifests ?? []) {
      const tag = refNameOf(entry)
      if (tag !== undefined) byTag.set(tag, entry)
    }
    return [...byTag].map(([tag, entry]) => {
      assertDescriptor(entry)
      return { tag, desc: withoutRefName(entry) }
    })
  }

  /**
   * Removes every `index.json` entry naming the manifest, then the manifest blob
   * and the blobs it references, each only if nothing still tagged reaches it
   * (shared layers stay). `VERSION_NOT_FOUND` when neither entry nor blob exists.
   */
  async delete(desc: Descriptor): Promise<void> {
    assertSha256(desc.digest)
    await this.sweep()
    await this.mutex.run(async () => {
      const index = await readIndex(this.paths)
      const kept = index?.manifests.filter((m) => m.digest !== desc.digest) ?? []
      const untagged = index !== null && kept.length !== index.manifests.length
      const stored = await isFile(this.paths.blob(desc.digest))
      if (!untagged && !stored) throw notFound(`${desc.digest} is not in ${this.name}`)
      const candidates = stored ? [desc.digest, ...(await childDigests(this.paths, desc.digest))] : []
      // Reachability is computed before anything changes: if it fails, nothing was deleted.
      const next = { ...(index ?? emptyIndex()), manifests: kept }
      const live = await reachableDigests(this.paths, next)
      if (untagged) await writeIndex(this.paths, next)
      for (const digest of new Set(candidates)) {
        if (!live.has(digest)) await removeBlob(this.paths, digest)
      }
    })
  }

  /**
   * Once per target, before its first use: removes what killed writers left in
   * `ingest/` (see `sweepIngest`). Never fails an operation: a read-only layout keeps its leftovers.
   */
  private sweep(): Promise<unknown> {
    this.swept ??= sweepIngest(this.paths.ingestDir).catch(() => undefined)
    return this.swept
  }
}

function assertTag(reference: string): void {
  if (tagPattern.test(reference)) return
  throw new SquizzleError('USAGE', `${JSON.stringify(reference.slice(0, 140))} is not a valid OCI tag`, {
    hint: 'Tags are 1-128 characters of letters, digits, "_", "." and "-", not starting with "." or "-".',
  })
}

/** The descriptor without the layout's own `ref.name` annotation (and no empty annotations). */
function withoutRefName(desc: Descriptor): Descriptor {
  const { [annotations.refName]: _ref, ...rest } = desc.annotations ?? {}
  const { annotations: _all, ...plain } = desc
  return Object.keys(rest).length > 0 ? { ...plain, annotations: rest } : plain
}
