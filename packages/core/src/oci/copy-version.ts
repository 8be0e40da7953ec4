import { pipeline } from 'node:stream'
import { assertPinned, parsePinnedVersion } from '../version/pinned-version.js'
import { parseBundleImageManifest, parseImageManifest } from './bundle-artifact.js'
import type { ContentTarget } from './content-target.js'
import type { Descriptor } from './descriptor.js'
import { verifyingStream } from './digest.js'
import { fetchVerified, immutableVersion, maxManifestBytes, resolveOrNull } from './fetch-verified.js'
import { addReferrer, readReferrers } from './referrers.js'


/**
 * Copies one version (manifest, config, bundle layer, and every attachment) from
 * one target to another, skipping blobs the destination has. Every byte is
 * verified against its digest on the way. Refuses with `IMMUTABLE_VERSION` when
 * the destination holds the version with other content, and, for a pinned
 * `1.2.0@sha256:…`, with `PINNED_DIGEST_MISMATCH` before copying anything when
 * the source's tag resolves to another digest.
 *
 * @example
 * ```ts
 * const desc = await copyVersion(layoutTarget, registryTarget, '1.2.0')
 * ```
 */
export async function copyVersion(from: ContentTarget, to: ContentTarget, reference: string): Promise<Descriptor> {
  const pin = parsePinnedVersion(reference)
  const version = pin.version
  // Independent look-ups, so one round trip instead of two; the source's error wins, as before.
  const [source, destination] = await Promise.allSettled([from.resolve(version), resolveOrNull(to, version)])
  if (source.status === 'rejected') throw source.reason
  if (destination.status === 'rejected') throw destination.reason
  const desc = source.value
  assertPinned(pin, desc.digest, from.name)
  const existing = destination.value
  if (existing && existing.digest !== desc.digest) {
    throw immutableVersion(to, version, existing.digest, desc.digest)
  }
  const bytes = await fetchVerified(from, desc, maxManifestBytes, `manifest of ${version}`)
  const { image } = parseBundleImageManifest(bytes, `${from.name}:${version}`)
  if (!existing) {
    await copyBlobs(from, to, [image.config, ...image.layers])
    await to.push(desc, bytes)
    await to.tag(desc, version)
  }
  await copyReferrers(from, to, desc.digest)
  return desc
}

async function copyReferrers(from: ContentTarget, to: ContentTarget, subject: string): Promise<void> {
  const index = await readReferrers(from, subject)
  // Attachments are independent, so they are copied concurrently (each a few small
  // requests: waiting for them one by one was most of a push's time after the bundle).
  // The referrers index is then updated in order, one at a time: each update rewrites it.
  await settleAll(
    index.manifests.map(async (referrer) => {
      const bytes = await fetchVerified(from, referrer, maxManifestBytes, `attachment ${referrer.digest}`)
      const image = parseImageManifest(bytes, `attachment ${referrer.digest}`)
      await copyBlobs(from, to, [image.config, ...image.layers])
      if (!(await to.exists(referrer))) await to.push(referrer, bytes)
    }),
  )
  for (const referrer of index.manifests) await addReferrer(to, subject, referrer)
}

/** Copies a manifest's blobs concurrently (the config's small upload overlaps the bundle's). */
async function copyBlobs(from: ContentTarget, to: ContentTarget, blobs: Descriptor[]): Promise<void> {
  await settleAll(blobs.map((blob) => copyBlob(from, to, blob)))
}

/**
 * Waits for every task, then throws the first failure in task order: nothing is
 * left running behind a thrown error, and which error is reported does not depend on timing.
 */
async function settleAll(tasks: Promise<unknown>[]): Promise<void> {
  const results = await Promise.allSettled(tasks)
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')
  if (failed) throw failed.reason
}

async function copyBlob(from: ContentTarget, to: ContentTarget, blob: Descriptor): Promise<void> {
  if (await to.exists(blob)) return
  // The destination checks every byte itself: a second hashing pass here would only cost time.
  if (to.verifiesPushes) return to.push(blob, await from.fetch(blob))
  const verify = verifyingStream(blob, `blob ${blob.digest}`)
  // pipeline, not pipe: if the destination stops reading, the source stream is released too.
  await to.push(blob, pipeline(await from.fetch(blob), verify, () => undefined))
}


