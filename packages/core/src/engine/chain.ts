import semver from 'semver'
import { SquizzleError } from '../errors/squizzle-error.js'
import type { Manifest } from '../manifest/manifest.js'
import { compareVersions } from '../version/version.js'
import type { HistoryState } from './history-state.js'

/** A version and the digest it was applied (or is about to be applied) as; null: nothing. */
export interface ChainLink {
  version: string | null
  digest: string | null
}

/** A version that was not built on what the database has below it. */
export interface ChainBreak {
  version: string
  /** What the bundle was built on: its manifest's previousVersion and previousDigest. */
  builtOn: ChainLink
  /** What the database has (or will have, earlier in the same run) just below it. */
  database: ChainLink
}

/** A pending version as apply is about to run it. */
export interface ChainCandidate {
  manifest: Manifest
  /** The digest it will be recorded under. */
  digest: string
}

/**
 * The chain breaks among `pending` (in apply order): each version must name, as
 * previous version and digest, the newest version below it that the database has
 * applied or that this run applies before it (none: previousVersion null). Bundles
 * without `previousDigest` (built before the chain existed), and predecessors
 * recorded without a digest, are checked by version only. With `allowOutOfOrder`,
 * versions older than the current one are off the line by definition and not
 * checked; versions above it always are. Pure.
 *
 * @example
 * ```ts
 * const pending = pulled.map((p) => ({ manifest: p.manifest, digest: p.ref.digest }))
 * const breaks = chainBreaks(pending, state, false)
 * ```
 */
export function chainBreaks(
  pending: readonly ChainCandidate[],
  state: HistoryState,
  allowOutOfOrder: boolean,
): ChainBreak[] {
  const known: { version: string; digest: string | null }[] = state.applied.map((e) => ({
    version: e.version,
    digest: e.manifestDigest,
  }))
  const breaks: ChainBreak[] = []
  for (const { manifest, digest } of pending) {
    const outOfOrder = state.current !== null && semver.lt(manifest.version, state.current)
    if (!(allowOutOfOrder && outOfOrder)) {
      const broken = chainBreak(manifest, predecessorOf(manifest.version, known))
      if (broken) breaks.push(broken)
    }
    known.push({ version: manifest.version, digest })
  }
  return breaks
}

/**
 * The break, or null when `manifest` was built on `predecessor` (the version the
 * database has just below it; version null: none). Pure.
 *
 * @example
 * ```ts
 * chainBreak(manifest, { version: '1.6.0', digest: 'sha256:…' }) // null when built on exactly that
 * ```
 */
export function chainBreak(manifest: Manifest, predecessor: ChainLink): ChainBreak | null {
  const builtOn: ChainLink = { version: manifest.previousVersion, digest: manifest.previousDigest ?? null }
  const broken =
    builtOn.version !== predecessor.version ||
    (builtOn.digest !== null && predecessor.digest !== null && builtOn.digest !== predecessor.digest)
  return broken ? { version: manifest.version, builtOn, database: predecessor } : null
}

/**
 * `UNCHAINED_VERSION` for a break, naming what the bundle was built on and what
 * the database has; the hint says how to get a chained version.
 *
 * @example
 * ```ts
 * throw unchainedError(breaks[0])
 * ```
 */
export function unchainedError(broken: ChainBreak): SquizzleError {
  const { version, builtOn, database } = broken
  const has =
    database.version === null ? 'the database has no version applied' : `the database is at ${describeLink(database)}`
  const on = builtOn.version === null ? 'nothing (as a first version)' : describeLink(builtOn)
  return new SquizzleError('UNCHAINED_VERSION', `version ${version} was built on ${on}, but ${has}`, {
    hint: `${chainAdvice(broken)} To run it anyway on purpose, allow unchained versions; the override is audited.`,
    remedies: [{ operation: 'apply', options: { allowUnchained: true } }],
    details: { version, builtOn, database },
  })
}

function chainAdvice({ version, builtOn, database }: ChainBreak): string {
  const ahead = builtOn.version !== null && (database.version === null || semver.gt(builtOn.version, database.version))
  if (ahead) {
    return `Apply ${builtOn.version} first (it must be in the storage), then ${version}.`
  }
  const which =
    builtOn.version === database.version
      ? `on another artifact of ${database.version} than the one the database applied (two branches each released it)`
      : 'without the release ledger that lists what the database has (e.g. in a fresh clone, or on a stale branch)'
  const risk = 'so it may repeat or miss SQL'
  return `${version} was built ${which}, ${risk}. Rebuild it where the ledger lists what the database has.`
}

/**
 * `1.6.0 (sha256:ab12…)`, or `1.6.0` when no digest is known.
 *
 * @example
 * ```ts
 * describeLink({ version: '1.6.0', digest: null }) // '1.6.0'
 * ```
 */
export function describeLink(link: ChainLink): string {
  if (link.version === null) return 'no version'
  return link.digest === null ? link.version : `${link.version} (${link.digest.slice(0, 'sha256:'.length + 12)}…)`
}

function predecessorOf(version: string, known: readonly { version: string; digest: string | null }[]): ChainLink {
  const below = known
    .filter((k) => compareVersions(k.version, version) < 0)
    .sort((a, b) => compareVersions(a.version, b.version))
  const newest = below.at(-1)
  return newest ? { version: newest.version, digest: newest.digest } : { version: null, digest: null }
}
