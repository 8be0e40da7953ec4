import type { Readable } from 'node:stream'
import type { Descriptor } from './descriptor.js'

/**
 * A content-addressable store with tags: the transport under an OCI storage
 * (an image-layout directory, a registry, your S3 bucket). Modelled on oras-go's
 * `Target`. Versions, attachments, immutability and verification are written
 * once in core on top of it, so a transport only moves bytes.
 */
export interface ContentTarget {
  /** Human-readable location, without secrets (`oci-layout:/srv/db`, `oci://ghcr.io/acme/db`). */
  readonly name: string
  /**
   * True when `push` itself refuses (with `DIGEST_MISMATCH`) content whose size or
   * digest differs from the descriptor, before anything becomes visible (a registry
   * checks the digest when an upload completes). Copies into such a target skip
   * their own hashing pass: the bytes are still checked exactly once. Optional.
   */
  readonly verifiesPushes?: boolean
  /**
   * Opens the content of `desc`. The caller verifies digest and size; a
   * transport may return more or fewer bytes than asked and the caller notices.
   * Throws `VERSION_NOT_FOUND` when the content does not exist.
   */
  fetch(desc: Descriptor): Promise<Readable>
  /**
   * Stores `content` under `desc`. Manifests and indexes (by media type) are
   * stored so that `resolve(desc.digest)` finds them. Afterwards `exists(desc)` is true.
   */
  push(desc: Descriptor, content: Readable | Uint8Array): Promise<void>
  /** True when content with this digest is stored. */
  exists(desc: Descriptor): Promise<boolean>
  /**
   * Resolves a tag or digest to the manifest descriptor it names.
   * Throws `VERSION_NOT_FOUND` when it names nothing.
   */
  resolve(reference: string): Promise<Descriptor>
  /** Points `reference` (a tag) at an already-pushed manifest; moves it if it existed. */
  tag(desc: Descriptor, reference: string): Promise<void>
  /** Every tag, in no particular order. */
  tags(): AsyncIterable<string>
  /**
   * Every tag with the descriptor `resolve(tag)` gives, from one read of the store's
   * own index (an OCI layout's `index.json`), so listing N versions costs one read,
   * not N. Optional: without it, storages resolve the tags of `tags()` one by one.
   */
  resolveTags?(): Promise<TaggedDescriptor[]>
  /** Removes a manifest and every tag pointing at it. Optional: not every store allows deletion. */
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
