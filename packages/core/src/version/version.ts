import semver from 'semver'
import { SquizzleError } from '../errors/squizzle-error.js'

/**
 * Checks that `input` is a strict semantic version (`1.4.0`, `2.0.0-rc.1`) and
 * returns it normalised. A leading `v` is refused: the version is also the OCI tag.
 *
 * @example
 * ```ts
 * parseVersion('1.4.0') // '1.4.0'
 * parseVersion('v1')    // throws VERSION_INVALID
 * ```
 */
export function parseVersion(input: string): string {
  const parsed = semver.valid(input, { loose: false })
  if (parsed === null || parsed !== input) {
    throw new SquizzleError('VERSION_INVALID', `"${input}" is not a semantic version`, {
      hint:
        'Use MAJOR.MINOR.PATCH with an optional pre-release, e.g. 1.4.0 or 2.0.0-rc.1 (no leading "v", no ' +
        'build metadata).',
    })
  }
  if (semver.parse(input)?.build.length) {
    throw new SquizzleError('VERSION_INVALID', `"${input}" carries build metadata, which OCI tags cannot hold`, {
      hint: 'Drop the "+..." suffix.',
    })
  }
  return parsed
}

/**
 * True when `input` is a version Squizzle accepts.
 *
 * @example
 * ```ts
 * isVersion('1.4.0') // true
 * isVersion('v1.4')  // false
 * ```
 */
export function isVersion(input: string): boolean {
  // One parse: `version` is the normalised text without build metadata.
  const parsed = semver.parse(input)
  return parsed !== null && parsed.version === input && parsed.build.length === 0
}

/**
 * Semver ordering, for `Array.prototype.sort`.
 *
 * @example
 * ```ts
 * ['1.10.0', '1.2.0'].sort(compareVersions) // ['1.2.0', '1.10.0']
 * ```
 */
export function compareVersions(a: string, b: string): number {
  return parsedVersion(a).compare(parsedVersion(b))
}

/** Parsed versions by text: sorting a long history compares every version many times. */
const parsedVersions = new Map<string, semver.SemVer>()
const maxParsedVersions = 100_000

/** `text` parsed as semver (a TypeError when it is not one), from the cache when it was parsed before. */
function parsedVersion(text: string): semver.SemVer {
  let parsed = parsedVersions.get(text)
  if (parsed === undefined) {
    parsed = new semver.SemVer(text)
    if (parsedVersions.size >= maxParsedVersions) parsedVersions.clear()
    parsedVersions.set(text, parsed)
  }
  return parsed
}

/**
 * Returns a new array sorted in semver order, oldest first.
 *
 * @example
 * ```ts
 * sortVersions(['2.0.0', '1.10.0', '1.2.0']) // ['1.2.0', '1.10.0', '2.0.0']
 * ```
 */
export function sortVersions(versions: Iterable<string>): string[] {
  return [...versions].sort(compareVersions)
}
