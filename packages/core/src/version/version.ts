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
  if (releaseOf(input) !== null) return true
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
  const x = parsedVersion(a)
  const y = parsedVersion(b)
  if (x.release && y.release)
    return x.release[0] - y.release[0] || x.release[1] - y.release[1] || x.release[2] - y.release[2]
  return semverOf(a, x).compare(semverOf(b, y))
}

/** A parsed version: a release (no pre-release) as its three numbers; the semver object only once needed. */
interface ParsedVersion {
  readonly release: readonly [number, number, number] | null
  semver?: semver.SemVer
}

/**
 * Parsed versions by text: sorting a long history compares every version many times, and
 * most are plain releases, compared as three numbers without building a semver object.
 */
const parsedVersions = new Map<string, ParsedVersion>()
const maxParsedVersions = 100_000
/** `MAJOR.MINOR.PATCH` without leading zeros, each at most 15 digits (so a safe integer, as semver requires). */
const releasePattern = /^(0|[1-9]\d{0,14})\.(0|[1-9]\d{0,14})\.(0|[1-9]\d{0,14})$/

/** `text` parsed (a TypeError when it is not semver), from the cache when it was parsed before. */
function parsedVersion(text: string): ParsedVersion {
  let parsed = parsedVersions.get(text)
  if (parsed === undefined) {
    const release = releaseOf(text)
    parsed = release ? { release } : { release, semver: new semver.SemVer(text) }
    if (parsedVersions.size >= maxParsedVersions) parsedVersions.clear()
    parsedVersions.set(text, parsed)
  }
  return parsed
}

function releaseOf(text: string): readonly [number, number, number] | null {
  const m = releasePattern.exec(text)
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : null
}

function semverOf(text: string, parsed: ParsedVersion): semver.SemVer {
  parsed.semver ??= new semver.SemVer(text)
  return parsed.semver
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
