import { SquizzleError } from '../errors/squizzle-error.js'
import type { Manifest } from '../manifest/manifest.js'
import { parseManifest } from '../manifest/validate-manifest.js'
import type { ContentTarget } from './content-target.js'
import type { Descriptor } from './descriptor.js'
import { fetchVerified, maxManifestBytes } from './fetch-verified.js'

/** A bundle's Squizzle manifest (its config blob), read and checked against the tag that led to it. */
export interface TaggedManifest {
  manifest: Manifest
  /** The config blob's exact, verified bytes (to copy them without reading them twice). */
  bytes: Buffer
}

/**
 * Reads the Squizzle manifest a version's image manifest names as its config,
 * verifies its bytes, and refuses with `TAMPERED` when it says another version
 * than the tag: a tag copied or re-pointed onto another version's bundle (e.g.
 * `skopeo copy …:1.0.0 …:2.0.0`). Every reader of a tag (pull, apply, verify,
 * copies between storages) goes through here, so none of them trusts the tag alone.
 *
 * @example
 * ```ts
 * const { manifest } = await readTaggedManifest(target, image.config, '2.0.0', desc)
 * ```
 */
export async function readTaggedManifest(
  target: ContentTarget,
  config: Descriptor,
  version: string,
  tagged: Descriptor,
): Promise<TaggedManifest> {
  const where = `${target.name}:${version}`
  const bytes = await fetchVerified(target, config, maxManifestBytes, `Squizzle manifest of ${where}`)
  const manifest = parseManifest(bytes, where)
  if (manifest.version !== version) {
    const bundle = `the bundle of version ${manifest.version}`
    throw new SquizzleError('TAMPERED', `tag ${version} in ${target.name} points at ${bundle}`, {
      hint: 'Someone re-pointed or copied the tag onto another version. Do not apply it; restore the tag.',
      details: { version, bundleVersion: manifest.version, digest: tagged.digest },
    })
  }
  return { manifest, bytes }
}
