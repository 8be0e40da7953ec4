import { pipeline } from 'node:stream'
import { SquizzleError } from '../errors/squizzle-error.js'
import { canonicalJson } from '../manifest/canonical-json.js'
import type { Manifest } from '../manifest/manifest.js'
import { serializeManifest } from '../manifest/validate-manifest.js'
import type {
  ArtifactRef,
  ArtifactStorage,
  Attachment,
  PulledArtifact,
  PushInput,
  VersionInfo,
} from '../storage/artifact-storage.js'
import { storageBrand } from '../storage/storage-brand.js'
import { compareVersions, isVersion, parseVersion } from '../version/version.js'
import { bundleImageManifest, parseBundleImageManifest, parseImageManifest } from './bundle-artifact.js'
import type { ContentTarget, TaggedDescriptor } from './content-target.js'
import type { Descriptor, ImageManifest } from './descriptor.js'
import { describeBytes, verifyingStream } from './digest.js'
import { fetchVerified, immutableVersion, maxManifestBytes, resolveOrNull } from './fetch-verified.js'
import { annotations, emptyJsonBlob, mediaTypes } from './media-types.js'
import { recordedNotes, withNotesAnnotation } from './notes-annotation.js'
import { attachmentTitle } from './attachment-title.js'
import { addReferrer, readReferrers, referrersTag } from './referrers.js'
import { spool } from './spool.js'
import { readTaggedManifest } from './tagged-manifest.js'
import { mapBounded } from '../util/map-bounded.js'

const maxAttachmentBytes = 64 * 1024 * 1024
// Listing a registry costs a request or two per version: eight at once hide the round trips
// without flooding it (ContentTarget calls may overlap, the contract says).
const requestsAtOnce = 8

/**
 * Turns any {@link ContentTarget} into an {@link ArtifactStorage}: versions as
 * tags, the bundle as an ORAS-shaped artifact, immutability, digest checks and
 * attachments through the referrers fallback tag, written once for every transport.
 *
 * @example
 * ```ts
 * const storage = createTargetStorage(new OciLayoutTarget('.squizzle/artifacts'))
 * const ref = await storage.push({ manifest, bundle })
 * ```
 */
export function createTargetStorage(target: ContentTarget): ArtifactStorage & { readonly target: ContentTarget } {
  return new TargetStorage(target)
}

class TargetStorage implements ArtifactStorage {
  readonly [storageBrand] = true
  constructor(readonly target: ContentTarget) {}

  get name(): string {
    return this.target.name
  }

  async push(input: PushInput): Promise<ArtifactRef> {
    const { manifest } = input
    const configBytes = Buffer.from(serializeManifest(manifest))
    const config = describeBytes(mediaTypes.squizzleManifest, configBytes)
    const spooled = input.bundle instanceof Uint8Array ? undefined : await spool(input.bundle)
    try {
      const layer: Descriptor = spooled
        ? { mediaType: mediaTypes.bundleLayer, digest: spooled.digest, size: spooled.size }
        : describeBytes(mediaTypes.bundleLayer, input.bundle as Uint8Array)
      const image = bundleImageManifest(manifest, config, layer)
      const ref = this.refOf(manifest.version, image.desc, layer)
      const existing = await resolveOrNull(this.target, manifest.version)
      if (existing) {
        if (existing.digest === image.desc.digest) return ref
        throw immutableVersion(this.target, manifest.version, existing.digest, image.desc.digest)
      }
      await this.pushIfMissing(config, configBytes)
      if (!(await this.target.exists(layer))) {
        await this.target.push(layer, spooled ? spooled.open() : (input.bundle as Uint8Array))
      }
      await this.target.push(image.desc, image.bytes)
      // The tag goes last: until then nothing lists, pulls or applies the version.
      if (input.attachments) await this.attachAll(ref, await input.attachments(this.artifactOf(ref, manifest, layer)))
      await this.target.tag(withNotesAnnotation(image.desc, manifest), manifest.version)
      return ref
    } finally {
      await spooled?.dispose()
    }
  }

  async pull(version: string): Promise<PulledArtifact> {
    parseVersion(version)
    const desc = await this.target.resolve(version)
    const where = `${this.name}:${version}`
    const bytes = await fetchVerified(this.target, desc, maxManifestBytes, `manifest of ${where}`)
    const { config, layer } = parseBundleImageManifest(bytes, where)
    const { manifest } = await readTaggedManifest(this.target, config, version, desc)
    return this.artifactOf(this.refOf(version, desc, layer), manifest, layer)
  }

  async exists(version: string): Promise<boolean> {
    parseVersion(version)
    return (await resolveOrNull(this.target, version)) !== null
  }

  async list(): Promise<VersionInfo[]> {
    const versions = await mapBounded(await this.versionTags(), requestsAtOnce, async ({ tag, desc }) => {
      const notes = recordedNotes(desc)
      const created = await this.createdOf(tag, desc)
      return { version: tag, digest: desc.digest, created, ...(notes === undefined ? {} : { notes }) }
    })
    return versions.sort((a, b) => compareVersions(a.version, b.version))
  }

  async delete(version: string): Promise<void> {
    parseVersion(version)
    if (!this.target.delete) {
      throw new SquizzleError('STORAGE_UNSUPPORTED', `${this.name} does not allow deleting versions`, {
        hint: "Delete the tag with the store's own tools, or use a storage that supports deletion.",
      })
    }
    const desc = await this.target.resolve(version)
    await this.target.delete(desc)
    // Its signatures, SBOMs and provenance go with it: their index would point at nothing.
    const referrers = await resolveOrNull(this.target, referrersTag(desc.digest))
    if (referrers) await this.target.delete(referrers)
  }

  async attach(ref: ArtifactRef, attachment: Attachment): Promise<void> {
    // Titled, as ORAS expects: `oras pull` skips untitled layers.
    const title = { [annotations.title]: attachmentTitle(ref.version, attachment) }
    const blob = describeBytes(attachment.mediaType, attachment.data, { annotations: title })
    const empty = describeBytes(mediaTypes.emptyJson, emptyJsonBlob)
    const image: ImageManifest = {
      schemaVersion: 2,
      mediaType: mediaTypes.imageManifest,
      artifactType: attachment.artifactType,
      config: { ...empty, data: emptyJsonBlob.toString('base64') },
      layers: [blob],
      subject: { mediaType: mediaTypes.imageManifest, digest: ref.digest, size: ref.size },
      ...(attachment.annotations ? { annotations: attachment.annotations } : {}),
    }
    const bytes = Buffer.from(canonicalJson(image), 'utf8')
    const desc = describeBytes(mediaTypes.imageManifest, bytes)
    await this.pushIfMissing(empty, emptyJsonBlob)
    await this.pushIfMissing(blob, attachment.data)
    await this.target.push(desc, bytes)
    await addReferrer(this.target, ref.digest, {
      ...desc,
      artifactType: attachment.artifactType,
      ...(attachment.annotations ? { annotations: attachment.annotations } : {}),
    })
  }

  async attachments(ref: ArtifactRef): Promise<Attachment[]> {
    const index = await readReferrers(this.target, ref.digest)
    const out: Attachment[] = []
    for (const desc of index.manifests) {
      const what = `attachment ${desc.digest} of ${ref.version}`
      const image = parseImageManifest(await fetchVerified(this.target, desc, maxManifestBytes, what), what)
      if (image.subject?.digest !== ref.digest) continue
      const layer = image.layers[0]
      if (!layer) continue
      const data = await fetchVerified(this.target, layer, maxAttachmentBytes, what)
      out.push({
        artifactType: image.artifactType ?? image.config.mediaType,
        mediaType: layer.mediaType,
        data,
        digest: desc.digest,
        ...(image.annotations ? { annotations: image.annotations } : {}),
      })
    }
    return out
  }

  /** The version tags and what they name: from the target's index in one read when it has one. */
  private async versionTags(): Promise<TaggedDescriptor[]> {
    if (this.target.resolveTags) return (await this.target.resolveTags()).filter((t) => isVersion(t.tag))
    const tags: string[] = []
    for await (const tag of this.target.tags()) if (isVersion(tag)) tags.push(tag)
    return mapBounded(tags, requestsAtOnce, async (tag) => ({ tag, desc: await this.target.resolve(tag) }))
  }

  /**
   * When a version was built. An index entry that names the bundle artifact type and its
   * creation time (what the layout records when it tags a version) answers without opening
   * the manifest; otherwise the manifest is fetched, verified and checked to be a bundle.
   */
  private async createdOf(tag: string, desc: Descriptor): Promise<string | null> {
    const recorded = desc.annotations?.[annotations.created]
    if (desc.artifactType === mediaTypes.bundleArtifact && recorded !== undefined) return recorded
    const bytes = await fetchVerified(this.target, desc, maxManifestBytes, `manifest of ${this.name}:${tag}`)
    const { image } = parseBundleImageManifest(bytes, `${this.name}:${tag}`)
    return image.annotations?.[annotations.created] ?? null
  }

  private async attachAll(ref: ArtifactRef, attachments: readonly Attachment[]): Promise<void> {
    for (const attachment of attachments) await this.attach(ref, attachment)
  }

  /** A stored version whose bundle streams from the target, verified against the layer digest. */
  private artifactOf(ref: ArtifactRef, manifest: Manifest, layer: Descriptor): PulledArtifact {
    const where = `${this.name}:${ref.version}`
    return {
      ref,
      manifest,
      open: () => {
        const verify = verifyingStream(layer, `bundle of ${where}`)
        this.target.fetch(layer).then(
          // pipeline, not pipe: when the reader stops early, the fetched stream is destroyed too (no leaked fd or
          // socket); its errors reach the reader through `verify`, so the callback has nothing left to do.
          (stream) => pipeline(stream, verify, () => undefined),
          (err: unknown) => verify.destroy(err as Error),
        )
        return verify
      },
    }
  }

  private async pushIfMissing(desc: Descriptor, bytes: Uint8Array): Promise<void> {
    if (!(await this.target.exists(desc))) await this.target.push(desc, bytes)
  }

  private refOf(version: string, desc: Descriptor, layer: Descriptor): ArtifactRef {
    return {
      version,
      digest: desc.digest,
      size: desc.size,
      bundleDigest: layer.digest,
      bundleSize: layer.size,
      storage: this.name,
    }
  }
}
