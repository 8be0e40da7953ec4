import type { BundleLimits } from '../bundle/limits.js'
import type { DatabaseDriver } from '../driver/database-driver.js'
import { versionSnapshot } from '../drift/version-snapshot.js'
import { deriveState } from '../engine/history-state.js'
import { diffSnapshots } from '../snapshot/diff-snapshots.js'
import { serializeSnapshot, type SchemaSnapshot } from '../snapshot/schema-snapshot.js'
import type { ArtifactStorage } from '../storage/artifact-storage.js'
import { compareVersions } from '../version/version.js'

/** The version a kept state must hold, and every stored version up to it with its digest. */
export interface KeptStateClaim {
  version: string
  /** Digest by version, of every version up to and including `version`. */
  digests: ReadonlyMap<string, string>
}

/** The restored state proven to be the claimed version: its live schema, as the replay's `before`. */
export type KeptStateProof = { schema: SchemaSnapshot } | { problem: string }

/**
 * Proves that a restored database is what replaying the stored versions up to
 * `claim.version` on an empty database gives: its history must list exactly those
 * versions under their stored digests, and its live schema must serialize to the
 * very bytes of the snapshot `claim.version` recorded at build. Anything else (a
 * version built without a snapshot, a database changed by hand) is a problem.
 *
 * @example
 * ```ts
 * const proof = await proveKeptState(scratch.driver, storage, { version: '1.1.0', digests })
 * if ('problem' in proof) console.log(proof.problem)
 * ```
 */
export async function proveKeptState(
  driver: DatabaseDriver,
  storage: ArtifactStorage,
  claim: KeptStateClaim,
  limits?: Partial<BundleLimits>,
): Promise<KeptStateProof> {
  const history = historyProblem(deriveState(await driver.records.history()).applied, claim)
  if (history) return { problem: history }
  const recorded = await versionSnapshot(await storage.pull(claim.version), limits)
  if (!recorded) return { problem: `${claim.version} was built without a schema snapshot to check it against` }
  const live = await driver.snapshotSchema!()
  if (serializeSnapshot(live).equals(serializeSnapshot(recorded))) return { schema: live }
  const count = diffSnapshots(recorded, live).length
  const what = count === 0 ? 'another server version' : `${count} difference${count === 1 ? '' : 's'}`
  return { problem: `its schema is not the snapshot ${claim.version} recorded (${what})` }
}

function historyProblem(applied: readonly { version: string; manifestDigest: string | null }[], claim: KeptStateClaim) {
  const expected = [...claim.digests.entries()].sort(([a], [b]) => compareVersions(a, b))
  const same =
    applied.length === expected.length &&
    applied.every((e, i) => e.version === expected[i]![0] && e.manifestDigest === expected[i]![1])
  return same ? null : `its history does not list the stored versions up to ${claim.version} and their digests`
}
