import semver from 'semver'
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
  if (
    input.target !== undefined &&
    !sorted.some((v) => v.version === input.target) &&
    !appliedDigest.has(input.target)
  ) {
    throw new SquizzleError('TARGET_NOT_FOUND', `version ${input.target} is neither stored nor applied`, {
      hint: 'List the stored versions, or build the version first.',
      remedies: [{ operation: 'list' }],
    })
  }
  const tampered = sorted
    .filter(
      (v) =>
        appliedDigest.has(v.version) &&
        appliedDigest.get(v.version) !== null &&
        appliedDigest.get(v.version) !== v.digest,
    )
    .map((v) => ({ version: v.version, applied: appliedDigest.get(v.version) as string, stored: v.digest }))
  // Versions at or below a baseline are part of the schema the baseline described.
  const baseline = state.baseline
  const covered = (version: string) => baseline !== null && semver.lte(version, baseline)
  const pending =
    target === null
      ? []
      : sorted.filter((v) => !appliedDigest.has(v.version) && !covered(v.version) && semver.lte(v.version, target))
  const current = state.current
  if (current !== null && !input.allowOutOfOrder) {
    const late = pending.filter((v) => semver.lt(v.version, current))
    if (late.length > 0) {
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
  }
  return { current, target, pending, tampered }
}
