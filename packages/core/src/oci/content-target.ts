import type { Readable } from 'node:stream'
import type { Descriptor } from './descriptor.js'

/**
 * A content-addressable store with tags: the transport under an OCI storage
 * (an image-layout directory, a registry, your S3 bucket). Modelled on oras-go's
 * `Target`. Versions, attachments, immutability and verification are written
 * once in core on top of it, so a transport only moves bytes.
 *
 * Calls may overlap: core fetches, checks and pushes distinct content concurrently
 * (every blob of a version at once) and may push the same content twice at once;
 * it writes tags one at a time. A target serializes what needs it (an index file)
 * itself. `describeContentTarget` in `@squizzle/core/testing` checks all of this.
 */
export interface ContentTarget {
  /** Human-readable location, without secrets (`oci-layout:/srv/db`, `oci://ghcr.io/acme/db`). */
  readonly name: string
  /**
   * Opens the content of `desc`. The caller verifies digest and size; a
   * transport may return more or fewer bytes than asked and the caller notices.
   * Throws `VERSION_NOT_FOUND` when the content does not exist.
   */
  fetch(desc: Descriptor): Promise<Readable>
  /**
   * Afterwards `exists(desc)` is true and `fetch(desc)` returns `content`; manifests
   * and indexes (by media type) are also found by `resolve(desc.digest)`. Pushing
   * content already stored is a no-op success. Content whose size or digest differs
   * from `desc` is refused with `DIGEST_MISMATCH`, and nothing of it becomes visible.
   */
  push(desc: Descriptor, content: Readable | Uint8Array): Promise<void>
  /** True when content with this digest is stored. */
  exists(desc: Descriptor): Promise<boolean>
  /**
   * The descriptor (media type, digest, size) of the manifest a tag points at, or of
   * the stored manifest with that digest. Throws `VERSION_NOT_FOUND` when it names nothing.
   */
  resolve(reference: string): Promise<Descriptor>
  /**
   * Afterwards `resolve(reference)` (a tag) gives the pushed manifest `desc`, moved if
   * the tag existed. Throws `VERSION_NOT_FOUND` when the manifest was never pushed.
   */
  tag(desc: Descriptor, reference: string): Promise<void>
  /** Every tag, each once, in no particular order. */
  tags(): AsyncIterable<string>
  /**
   * Every tag with the descriptor `resolve(tag)` gives, from one read of the store's
   * own index (an OCI layout's `index.json`), so listing N versions costs one read,
   * not N. Optional: without it, storages resolve the tags of `tags()` one by one.
   */
  resolveTags?(): Promise<TaggedDescriptor[]>
  /**
   * Afterwards the manifest and every tag pointing at it are gone (`STORAGE_UNSUPPORTED`
   * when the store forbids it). Optional: not every store allows deletion.
   */
  delete?(desc: Descriptor): Promise<void>
  /**
   * The manifests whose `subject` is `subject`, as the store indexes them itself
   * (a registry's referrers API), or null when it has no such index; core then
   * keeps the `sha256-<hex>` fallback tag index instead. Optional.
   */
  referrers?(subject: string): Promise<Descriptor[] | null>
}

/** A tag and the manifest descriptor it names. */
export interface TaggedDescriptor {
  tag: string
  desc: Descriptor
}
