import { SquizzleError } from '../errors/squizzle-error.js'
import type { VersionInfo } from '../storage/artifact-storage.js'
import { compareVersions } from '../version/version.js'
import type { HistoryState } from './history-state.js'

/** What `apply` would do. */
export interface Plan {
  current: string | null
  /** The version applying stops at, or null when storage is empty. */
  target: string | null
  /** Versions to apply, in order. */
  pending: VersionInfo[]
  /** Applied versions whose stored digest is not the one that was applied. */
  tampered: { version: string; applied: string; stored: string }[]
}

export interface PlanInput {
  stored: readonly VersionInfo[]
  state: HistoryState
  target?: string | undefined
  allowOutOfOrder?: boolean | undefined
}

/**
 * Computes pending versions: stored, not applied, up to the target, in semver
 * order. Refuses (`OUT_OF_ORDER`) a pending version older than the current one
 * unless allowed, and a target that is neither stored nor applied. Pure.
 *
 * @example
 * ```ts
 * const plan = computePlan({ stored: await storage.list(), state: deriveState(history) })
 * ```
 */
export function computePlan(input: PlanInput): Plan {
  const { stored, state } = input
  const appliedDigest = new Map(state.applied.map((e) => [e.version, e.manifestDigest]))
  const sorted = [...stored].sort((a, b) => compareVersions(a.version, b.version))
  const target = input.target ?? sorted.at(-1)?.version ?? null
  assertTargetKnown(input.target, sorted, appliedDigest)
  const tampered = tamperedVersions(sorted, appliedDigest)
  const pending = target === null ? [] : pendingVersions(sorted, appliedDigest, state.baseline, target)
  const current = state.current
  if (current !== null && !input.allowOutOfOrder) refuseOutOfOrder(pending, current)
  return { current, target, pending, tampered }
}

/** Applied version → the manifest digest it was applied as (null for a row without one). */
type AppliedDigests = ReadonlyMap<string, string | null>

/** Refuses an explicit target that is neither stored nor applied. */
function assertTargetKnown(target: string | undefined, sorted: readonly VersionInfo[], appliedDigest: AppliedDigests) {
  if (target !== undefined && !sorted.some((v) => v.version === target) && !appliedDigest.has(target)) {
    throw new SquizzleError('TARGET_NOT_FOUND', `version ${target} is neither stored nor applied`, {
      hint: 'List the stored versions, or build the version first.',
      remedies: [{ operation: 'list' }],
    })
  }
}

function tamperedVersions(sorted: readonly VersionInfo[], appliedDigest: AppliedDigests): Plan['tampered'] {
  return sorted
    .filter(
      (v) =>
        appliedDigest.has(v.version) &&
        appliedDigest.get(v.version) !== null &&
        appliedDigest.get(v.version) !== v.digest,
    )
    .map((v) => ({ version: v.version, applied: appliedDigest.get(v.version) as string, stored: v.digest }))
}

/** Stored versions not applied, not covered by the baseline, up to the target. */
function pendingVersions(
  sorted: readonly VersionInfo[],
  appliedDigest: AppliedDigests,
  baseline: string | null,
  target: string,
): VersionInfo[] {
  // Versions at or below a baseline are part of the schema the baseline described.
  const covered = (version: string) => baseline !== null && compareVersions(version, baseline) <= 0
  return sorted.filter(
    (v) => !appliedDigest.has(v.version) && !covered(v.version) && compareVersions(v.version, target) <= 0,
  )
}

/** Refuses (`OUT_OF_ORDER`) pending versions older than the current one. */
function refuseOutOfOrder(pending: readonly VersionInfo[], current: string): void {
  const late = pending.filter((v) => compareVersions(v.version, current) < 0)
  if (late.length === 0) return
  const names = late.map((v) => v.version).join(', ')
  throw new SquizzleError(
    'OUT_OF_ORDER',
    `version ${names} is older than the current version ${current} and was never applied`,
    {
      hint:
        'Released history cannot be rewritten silently. Build the change as a new version above the current ' +
        'one, or allow out-of-order versions if this is intended.',
      remedies: [{ operation: 'apply', options: { allowOutOfOrder: true } }],
      details: { versions: late.map((v) => v.version), current },
    },
  )
}
