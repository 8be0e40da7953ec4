import { pipeline } from 'node:stream'
import { isSquizzleError, SquizzleError } from '../errors/squizzle-error.js'
import { readSmall } from '../util/read-stream.js'
import { parseVersion } from '../version/version.js'
import { parseBundleImageManifest, parseImageManifest } from './bundle-artifact.js'
import type { ContentTarget } from './content-target.js'
import type { Descriptor } from './descriptor.js'
import { assertDigest, verifyingStream } from './digest.js'
import { addReferrer, readReferrers } from './referrers.js'

const maxManifestBytes = 4 * 1024 * 1024

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
    throw new SquizzleError('IMMUTABLE_VERSION', `version ${version} already exists in ${to.name} with different content (${existing.digest})`, {
      hint: 'Released versions never change. Build a new, higher version instead.',
      details: { version, stored: existing.digest, attempted: desc.digest },
    })
  }
  const bytes = await fetchSmall(from, desc, `manifest of ${version}`)
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
    const bytes = await fetchSmall(from, referrer, `attachment ${referrer.digest}`)
    const image = parseImageManifest(bytes, `attachment ${referrer.digest}`)
    for (const blob of [image.config, ...image.layers]) await copyBlob(from, to, blob)
    if (!(await to.exists(referrer))) await to.push(referrer, bytes)
    await addReferrer(to, subject, referrer)
  }
}

async function copyBlob(from: ContentTarget, to: ContentTarget, blob: Descriptor): Promise<void> {
  if (await to.exists(blob)) return
  const verify = verifyingStream(blob, `blob ${blob.digest}`)
  // pipeline, not pipe: if the destination stops reading, the source stream is released too.
  await to.push(blob, pipeline(await from.fetch(blob), verify, () => undefined))
}

async function fetchSmall(target: ContentTarget, desc: Descriptor, what: string): Promise<Buffer> {
  const bytes = await readSmall(await target.fetch(desc), maxManifestBytes, what)
  assertDigest(desc, bytes, what)
  return bytes
}

async function resolveOrNull(target: ContentTarget, reference: string): Promise<Descriptor | null> {
  try {
    return await target.resolve(reference)
  } catch (err) {
    if (isSquizzleError(err) && err.code === 'VERSION_NOT_FOUND') return null
    throw err
  }
}
