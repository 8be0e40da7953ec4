import { assertPinned, parsePinnedVersion, type PinnedVersion } from '../version/pinned-version.js'
import { parseBundleImageManifest, parseImageManifest } from './bundle-artifact.js'
import type { ContentTarget } from './content-target.js'
import type { Descriptor, ImageManifest } from './descriptor.js'
import { fetchVerified, immutableVersion, maxManifestBytes, resolveOrNull } from './fetch-verified.js'
import { addReferrer, readReferrers } from './referrers.js'
import { withNotesAnnotation } from './notes-annotation.js'
import { readTaggedManifest } from './tagged-manifest.js'

/** An attachment manifest read from the source: its descriptor, verified bytes and parsed form. */
interface SourceManifest {
  desc: Descriptor
  bytes: Buffer
  image: ImageManifest
}

/**
 * Copies one version (manifest, config, bundle layer, and every attachment) from
 * one target to another, skipping blobs the destination has. Every byte is
 * verified against its digest on the way, and the bundle must say the version its
 * tag names (`TAMPERED` otherwise). The version's tag is written last, once the
 * blobs, the manifest, every attachment and the referrers index are stored: a copy
 * that fails at any step leaves no version in the destination, and copying again
 * finishes it. Refuses with `IMMUTABLE_VERSION` when the destination holds the
 * version with other content, and, for a pinned `1.2.0@sha256:…`, with
 * `PINNED_DIGEST_MISMATCH` before copying anything when the source's tag resolves
 * to another digest.
 *
 * @example
 * ```ts
 * const desc = await copyVersion(layoutTarget, registryTarget, '1.2.0')
 * ```
 */
export async function copyVersion(from: ContentTarget, to: ContentTarget, reference: string): Promise<Descriptor> {
  const pin = parsePinnedVersion(reference)
  const version = pin.version
  const { desc, existing } = await lookUp(from, to, pin)
  const where = `${from.name}:${version}`
  const bytes = await fetchVerified(from, desc, maxManifestBytes, `manifest of ${where}`)
  const { image } = parseBundleImageManifest(bytes, where)
  const config = await readTaggedManifest(from, image.config, version, desc)
  const attachments = await readAttachments(from, desc.digest)
  const attached = attachments.flatMap((a) => [a.image.config, ...a.image.layers])
  await settleAll([
    ...(existing ? [] : [pushIfMissing(to, image.config, config.bytes)]),
    // One copy per digest: attachments share their empty config blob.
    ...uniqueByDigest([...(existing ? [] : image.layers), ...attached]).map((blob) => copyBlob(from, to, blob)),
  ])
  if (!existing) await to.push(desc, bytes)
  await settleAll(attachments.map((a) => pushIfMissing(to, a.desc, a.bytes)))
  // Each update rewrites the referrers index, so they go one at a time.
  for (const attachment of attachments) await addReferrer(to, desc.digest, attachment.desc)
  // The notes the destination's index may show come from the verified manifest, not the source's index.
  if (!existing) await to.tag(withNotesAnnotation(desc, config.manifest), version)
  return desc
}

/** The source's descriptor of `version`, and the destination's if it has the same one; refuses a different one. */
async function lookUp(
  from: ContentTarget,
  to: ContentTarget,
  pin: PinnedVersion,
): Promise<{ desc: Descriptor; existing: boolean }> {
  const { version } = pin
  // Independent look-ups, so one round trip instead of two; the source's error wins.
  const [source, destination] = await Promise.allSettled([from.resolve(version), resolveOrNull(to, version)])
  if (source.status === 'rejected') throw source.reason
  if (destination.status === 'rejected') throw destination.reason
  const desc = source.value
  assertPinned(pin, desc.digest, from.name)
  const existing = destination.value
  if (existing && existing.digest !== desc.digest) throw immutableVersion(to, version, existing.digest, desc.digest)
  return { desc, existing: existing !== null }
}

/**
 * The attachment manifests of `subject` in `from`, each fetched and verified
 * (concurrently: each is a small request). Entries whose manifest names another
 * subject are not attachments of this version and are not copied.
 */
async function readAttachments(from: ContentTarget, subject: string): Promise<SourceManifest[]> {
  const index = await readReferrers(from, subject)
  const read = await settleAll(
    index.manifests.map(async (desc): Promise<SourceManifest> => {
      const what = `attachment ${desc.digest} of ${subject}`
      const bytes = await fetchVerified(from, desc, maxManifestBytes, what)
      return { desc, bytes, image: parseImageManifest(bytes, what) }
    }),
  )
  return read.filter((a) => a.image.subject?.digest === subject)
}

/**
 * Waits for every task, then throws the first failure in task order: nothing is
 * left running behind a thrown error, and which error is reported does not depend on timing.
 */
async function settleAll<T>(tasks: Promise<T>[]): Promise<T[]> {
  const results = await Promise.allSettled(tasks)
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')
  if (failed) throw failed.reason
  return results.map((r) => (r as PromiseFulfilledResult<T>).value)
}

function uniqueByDigest(blobs: Descriptor[]): Descriptor[] {
  return [...new Map(blobs.map((blob) => [blob.digest, blob])).values()]
}

async function pushIfMissing(to: ContentTarget, desc: Descriptor, bytes: Buffer): Promise<void> {
  if (!(await to.exists(desc))) await to.push(desc, bytes)
}

async function copyBlob(from: ContentTarget, to: ContentTarget, blob: Descriptor): Promise<void> {
  if (await to.exists(blob)) return
  // Every target refuses content that does not match its descriptor (see ContentTarget.push):
  // the bytes are checked once, by the destination, on the way in.
  await to.push(blob, await from.fetch(blob))
}
