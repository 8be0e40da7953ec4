import type { BundleLimits } from '../bundle/limits.js'
import { verifyPulled } from '../engine/verify-version.js'
import { SquizzleError } from '../errors/squizzle-error.js'
import { ignoreEvents, type EventSink } from '../events/events.js'
import type { ArtifactPolicy } from '../signing/signing.js'
import type { ArtifactStorage } from '../storage/artifact-storage.js'
import { compareVersions } from '../version/version.js'
import type { Ledger, LedgerVersion } from './ledger.js'

export interface RebuildLedgerOptions {
  /** The storage that holds every released version (usually the registry). */
  storage: ArtifactStorage
  /** Signature checks each version must pass before it is written down as released. */
  policy?: ArtifactPolicy | undefined
  limits?: Partial<BundleLimits> | undefined
  events?: EventSink | undefined
}

/**
 * The ledger of a storage's versions, oldest first, each verified as apply would
 * (digests, every file's SHA-256, the checksum, the policy) before it is listed.
 * For projects from before the ledger, and for a ledger that was lost or damaged.
 * Refuses an empty storage (`VERSION_NOT_FOUND`) and a version that bundles a file
 * an earlier one released (`LEDGER_MISMATCH`); warns (`LEDGER_CHAIN_GAP`) when a
 * version names another previous version than the one stored before it.
 *
 * @example
 * ```ts
 * await writeLedgerFile('db/squizzle.sum', await ledgerFromStorage({ storage }))
 * ```
 */
export async function ledgerFromStorage(options: RebuildLedgerOptions): Promise<Ledger> {
  const { storage } = options
  const events = options.events ?? ignoreEvents
  const versions = (await storage.list()).map((v) => v.version).sort(compareVersions)
  if (versions.length === 0) {
    throw new SquizzleError('VERSION_NOT_FOUND', `${storage.name} holds no versions to write a ledger from`, {
      hint: 'Write the ledger from the storage that holds the released versions (usually the registry).',
      remedies: [{ operation: 'ledger.rebuild', options: { from: 'oci://…' } }],
    })
  }
  const entries: LedgerVersion[] = []
  const released = new Map<string, string>()
  for (const version of versions) {
    const pulled = await storage.pull(version)
    await verifyPulled(storage, pulled, { policy: options.policy, limits: options.limits, events })
    const previous = entries.at(-1)?.version ?? null
    if (pulled.manifest.previousVersion !== previous) {
      const named = pulled.manifest.previousVersion ?? 'no version'
      const before = previous ?? 'none'
      const message = `version ${version} was built on ${named}, but the version stored before it is ${before}`
      events({ type: 'warning', code: 'LEDGER_CHAIN_GAP', version, message })
    }
    const sql = pulled.manifest.files.filter((f) => f.kind !== 'schema')
    const files = sql.map((f) => ({ path: f.path, sha256: f.sha256 }))
    for (const f of files) assertFirstRelease(f.path, version, released, storage.name)
    entries.push({ version, digest: pulled.ref.digest, previousVersion: previous, files })
  }
  return { versions: entries }
}

function assertFirstRelease(path: string, version: string, released: Map<string, string>, storage: string): void {
  const earlier = released.get(path)
  if (earlier !== undefined) {
    const message = `version ${version} in ${storage} bundles ${path} again, which ${earlier} released`
    throw new SquizzleError('LEDGER_MISMATCH', message, {
      hint:
        `${version} was built without a ledger (e.g. in a fresh clone) and carries released SQL a second time: ` +
        'do not apply it. ' +
        'Delete it from the storage (or restore the storage from a copy without it), then rebuild the ledger.',
      details: { version, path, releasedIn: earlier, storage },
    })
  }
  released.set(path, version)
}
