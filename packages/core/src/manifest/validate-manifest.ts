import semver from 'semver'
import { SquizzleError } from '../errors/squizzle-error.js'
import { validateManifestShape } from '../schema/validators/validate-manifest-shape.js'
import { schemaCheck } from '../schema/schema-check.js'
import { isVersion } from '../version/version.js'
import { canonicalJson } from './canonical-json.js'
import { assertChecksum } from './checksum.js'
import type { Manifest } from './manifest.js'

const checkShape = schemaCheck<Manifest>(
  () => validateManifestShape,
  'MANIFEST_INVALID',
  'The manifest is damaged or was not written by Squizzle. Rebuild the version or restore it from a trusted copy.',
)

/**
 * Validates a manifest (schema, then meaning: kinds match paths, no duplicates,
 * versions ordered, checksum right) and returns it typed.
 *
 * @example
 * ```ts
 * const manifest = validateManifest(JSON.parse(text), 'registry ghcr.io/acme/db:1.2.0')
 * ```
 */
export function validateManifest(value: unknown, source = 'manifest'): Manifest {
  const manifest = checkShape(value, source)
  const seen = new Set<string>()
  for (const file of manifest.files) {
    if (!file.path.startsWith(`${file.kind}/`)) {
      throw invalid(source, `file ${file.path} is listed with kind "${file.kind}"`)
    }
    if (file.path.split('/').some((part) => part === '.' || part === '..')) {
      throw invalid(source, `file ${file.path} has a relative path segment`)
    }
    if (seen.has(file.path)) throw invalid(source, `file ${file.path} is listed twice`)
    seen.add(file.path)
  }
  // The schema's pattern also admits what semver refuses (`01.0.0`, `1.0.0-01`).
  for (const version of [manifest.version, manifest.previousVersion]) {
    if (version !== null && !isVersion(version)) throw invalid(source, `${version} is not a semantic version`)
  }
  if (manifest.previousVersion !== null && !semver.lt(manifest.previousVersion, manifest.version)) {
    throw invalid(source, `previousVersion ${manifest.previousVersion} is not lower than version ${manifest.version}`)
  }
  const { previousDigest, previousVersion } = manifest
  if (previousDigest !== undefined && (previousDigest === null) !== (previousVersion === null)) {
    throw invalid(source, 'previousDigest and previousVersion must both be set, or both be null')
  }
  assertChecksum(manifest.files, manifest.checksum)
  return manifest
}

/**
 * Parses manifest bytes (UTF-8 JSON) and validates them.
 *
 * @example
 * ```ts
 * const manifest = parseManifest(await readFile('manifest.json'), 'manifest.json')
 * ```
 */
export function parseManifest(bytes: Uint8Array | string, source = 'manifest'): Manifest {
  let value: unknown
  try {
    value = JSON.parse(typeof bytes === 'string' ? bytes : Buffer.from(bytes).toString('utf8'))
  } catch (cause) {
    throw new SquizzleError('MANIFEST_INVALID', `${source}: not valid JSON`, { cause })
  }
  return validateManifest(value, source)
}

/**
 * The manifest's canonical bytes: what is stored and hashed.
 *
 * @example
 * ```ts
 * const bytes = serializeManifest(manifest)
 * ```
 */
export function serializeManifest(manifest: Manifest): Uint8Array {
  return Buffer.from(canonicalJson(manifest), 'utf8')
}

function invalid(source: string, problem: string): SquizzleError {
  return new SquizzleError('MANIFEST_INVALID', `${source}: ${problem}`, {
    hint:
      'The manifest is damaged or was not written by Squizzle. Rebuild the version or restore it from a ' +
      'trusted copy.',
  })
}
