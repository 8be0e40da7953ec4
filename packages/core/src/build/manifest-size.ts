import { maxManifestBytes } from '../bundle/limits.js'
import { SquizzleError } from '../errors/squizzle-error.js'
import type { Manifest } from '../manifest/manifest.js'
import { serializeManifest } from '../manifest/validate-manifest.js'

/**
 * Refuses a manifest larger than readers accept ({@link maxManifestBytes}): stored,
 * such a version could never be pulled, verified or applied, and every later
 * build (which reads the stored manifests) would fail too.
 *
 * @example
 * ```ts
 * assertManifestFits(manifest) // before storage.push
 * ```
 */
export function assertManifestFits(manifest: Manifest): void {
  const bytes = serializeManifest(manifest).byteLength
  if (bytes <= maxManifestBytes) return
  const files = manifest.files.length
  const size = `${bytes} bytes (${files} files)`
  const limit = `the limit of ${maxManifestBytes} bytes (4 MiB) that pull, verify and apply enforce`
  throw new SquizzleError('MANIFEST_TOO_LARGE', `the manifest of ${manifest.version} would be ${size}, over ${limit}`, {
    hint:
      'Nothing was stored. Build the new files as several versions (move some aside, build, bring them back, ' +
      'build the next), or shorten their paths: every file adds its path, size and SHA-256 to the manifest.',
    details: { version: manifest.version, bytes, limit: maxManifestBytes, files },
  })
}
