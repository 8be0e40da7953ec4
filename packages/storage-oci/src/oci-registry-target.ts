import { Readable } from 'node:stream'
import { SquizzleError, type ContentTarget, type Descriptor } from '@squizzle/core'
import { isDigest, readSmall } from '@squizzle/core/oci'
import { downloadBlob } from './blob-download.js'
import { defaultChunkSize, uploadBlob } from './blob-upload.js'
import { deleteManifest, getManifest, headManifest, maxManifestBytes, putManifest } from './manifests.js'
import { isManifestType } from './media-type-routing.js'
import { listReferrers } from './referrers-api.js'
import { RegistryClient, type RegistryClientOptions } from './registry-client.js'
import { notFound } from './registry-errors.js'
import { displayName, type RegistryLocation } from './registry-url.js'
import { listTags } from './tag-list.js'

/** Options of {@link OciRegistryTarget}. */
export interface OciRegistryOptions extends RegistryClientOptions {
  /** Blobs larger than this are uploaded in chunks of this size (default 16 MiB). */
  chunkSize?: number
  /** Tags asked for per page when listing (default 1000). */
  tagPageSize?: number
}

/** OCI tag grammar (distribution spec). */
const tagPattern = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/
/** Manifests pushed by this target, kept to tag them without reading them back (they are a few KB each). */
const recentManifestLimit = 32

/**
 * One repository of an OCI Distribution registry (Docker Hub, GHCR, ECR, Harbor,
 * distribution) as a core {@link ContentTarget}: blobs under `/blobs/`, manifests
 * and indexes under `/manifests/`, tags through manifest PUTs, the referrers API
 * when the registry has one. Wrap it with `createTargetStorage` (or use
 * `createOciStorage`) to get versions, attachments and immutability.
 *
 * @example
 * ```ts
 * import { copyVersion } from '@squizzle/core'
 * import { OciRegistryTarget, parseRegistryUrl } from '@squizzle/storage-oci'
 *
 * const registry = new OciRegistryTarget(parseRegistryUrl('oci://ghcr.io/acme/db'), { credentials })
 * await copyVersion(layoutTarget, registry, '1.4.0')
 * ```
 */
export class OciRegistryTarget implements ContentTarget {
  readonly name: string
  readonly client: RegistryClient
  private readonly chunkSize: number
  private readonly tagPageSize: number
  private readonly recent = new Map<string, Buffer>()

  constructor(
    readonly location: RegistryLocation,
    options: OciRegistryOptions = {},
  ) {
    this.name = displayName(location)
    this.client = new RegistryClient(location, options)
    this.chunkSize = options.chunkSize ?? defaultChunkSize
    this.tagPageSize = options.tagPageSize ?? 1000
  }

  /** Streams a blob, or a manifest by digest. `VERSION_NOT_FOUND` when absent; the caller verifies the bytes. */
  async fetch(desc: Descriptor): Promise<Readable> {
    if (!isManifestType(desc.mediaType)) return downloadBlob(this.client, desc)
    const got = await getManifest(this.client, desc.digest)
    if (!got) throw notFound(this.client, `manifest ${desc.digest}`)
    return Readable.from([got.bytes])
  }

  /** Uploads a blob, or PUTs a manifest/index by its digest (tags come later, with {@link tag}). */
  async push(desc: Descriptor, content: Readable | Uint8Array): Promise<void> {
    if (!isManifestType(desc.mediaType)) return uploadBlob(this.client, desc, content, { chunkSize: this.chunkSize })
    const bytes =
      content instanceof Uint8Array
        ? Buffer.from(content)
        : await readSmall(content, maxManifestBytes, `manifest ${desc.digest}`)
    await putManifest(this.client, desc.digest, desc.mediaType, bytes)
    this.remember(desc.digest, bytes)
  }

  /** HEAD on the blob or manifest. */
  async exists(desc: Descriptor): Promise<boolean> {
    if (isManifestType(desc.mediaType)) return (await headManifest(this.client, desc.digest)) !== null
    const action = `check blob ${desc.digest}`
    const res = await this.client.send(action, 'pull', { method: 'HEAD', path: `blobs/${desc.digest}` })
    if (res.status === 200 || res.status === 404) await res.discard()
    if (res.status === 200) return true
    if (res.status === 404) return false
    throw await this.client.error(res, action)
  }

  /** A tag or digest to the manifest descriptor it names; `VERSION_NOT_FOUND` when it names nothing. */
  async resolve(reference: string): Promise<Descriptor> {
    if (!isDigest(reference)) assertTag(reference)
    const desc = await headManifest(this.client, reference)
    if (!desc) throw notFound(this.client, reference)
    return desc
  }

  /** PUTs the manifest's exact bytes under the tag, moving it if it existed. */
  async tag(desc: Descriptor, reference: string): Promise<void> {
    assertTag(reference)
    let bytes = this.recent.get(desc.digest)
    if (!bytes) {
      const got = await getManifest(this.client, desc.digest)
      if (!got) throw notFound(this.client, `manifest ${desc.digest}`)
      bytes = got.bytes
    }
    await putManifest(this.client, reference, desc.mediaType, bytes)
  }

  /** Every tag (deduplicated across pages). */
  async *tags(): AsyncGenerator<string> {
    const seen = new Set<string>()
    for await (const tag of listTags(this.client, this.tagPageSize)) {
      if (seen.has(tag)) continue
      seen.add(tag)
      yield tag
    }
  }

  /** Deletes the manifest (and the tags naming it); `STORAGE_UNSUPPORTED` when the registry forbids deletion. */
  async delete(desc: Descriptor): Promise<void> {
    await deleteManifest(this.client, desc.digest)
    this.recent.delete(desc.digest)
  }

  /** The referrers API's list, or null when the registry has none (the fallback tag is used then). */
  async referrers(subject: string): Promise<Descriptor[] | null> {
    return listReferrers(this.client, subject)
  }

  private remember(digest: string, bytes: Buffer): void {
    this.recent.set(digest, bytes)
    if (this.recent.size > recentManifestLimit) this.recent.delete(this.recent.keys().next().value as string)
  }
}

function assertTag(reference: string): void {
  if (tagPattern.test(reference)) return
  throw new SquizzleError('USAGE', `${JSON.stringify(reference.slice(0, 140))} is not a valid OCI tag`, {
    hint: 'Tags are 1-128 characters of letters, digits, "_", "." and "-", not starting with "." or "-".',
  })
}
