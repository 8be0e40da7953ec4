import { pipeline } from 'node:stream'
import { parseVersion } from '../version/version.js'
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
 * the destination holds the version with other content.
 *
 * @example
 * ```ts
 * const desc = await copyVersion(layoutTarget, registryTarget, '1.2.0')
 * ```
 */
export async function copyVersion(from: ContentTarget, to: ContentTarget, version: string): Promise<Descriptor> {
  parseVersion(version)
  const desc = await from.resolve(version)
  const existing = await resolveOrNull(to, version)
  if (existing && existing.digest !== desc.digest) {
    throw immutableVersion(to, version, existing.digest, desc.digest)
  }
  const bytes = await fetchVerified(from, desc, maxManifestBytes, `manifest of ${version}`)
  const { image } = parseBundleImageManifest(bytes, `${from.name}:${version}`)
  if (!existing) {
    for (const blob of [image.config, ...image.layers]) await copyBlob(from, to, blob)
    await to.push(desc, bytes)
    await to.tag(desc, version)
  }
  await copyReferrers(from, to, desc.digest)
  return desc
}

async function copyReferrers(from: ContentTarget, to: ContentTarget, subject: string): Promise<void> {
  const index = await readReferrers(from, subject)
  for (const referrer of index.manifests) {
    const bytes = await fetchVerified(from, referrer, maxManifestBytes, `attachment ${referrer.digest}`)
    const image = parseImageManifest(bytes, `attachment ${referrer.digest}`)
    for (const blob of [image.config, ...image.layers]) await copyBlob(from, to, blob)
    if (!(await to.exists(referrer))) await to.push(referrer, bytes)
    await addReferrer(to, subject, referrer)
  }
}

async function copyBlob(from: ContentTarget, to: ContentTarget, blob: Descriptor): Promise<void> {
  if (await to.exists(blob)) return
  // The destination checks every byte itself: a second hashing pass here would only cost time.
  if (to.verifiesPushes) return to.push(blob, await from.fetch(blob))
  const verify = verifyingStream(blob, `blob ${blob.digest}`)
  // pipeline, not pipe: if the destination stops reading, the source stream is released too.
  await to.push(blob, pipeline(await from.fetch(blob), verify, () => undefined))
}


