import { SquizzleError } from '../errors/squizzle-error.js'
import { emptyLedger, latestRelease, type Ledger } from '../ledger/ledger.js'
import { rebuildLedger } from '../ledger/ledger-errors.js'
import { readLedgerFile } from '../ledger/ledger-file.js'
import { assertMatchesStorage } from '../ledger/ledger-storage.js'
import type { ArtifactStorage } from '../storage/artifact-storage.js'
import { compareVersions } from '../version/version.js'

/**
 * The ledger a build starts from, checked against the storage: every stored
 * version must be in it with the same digest (`LEDGER_MISMATCH`,
 * `LEDGER_INCOMPLETE`). No ledger is fine for a project that released nothing;
 * with versions in storage it is `LEDGER_MISSING` (a project from before the ledger).
 *
 * @example
 * ```ts
 * const ledger = await ledgerForBuild('db/squizzle.sum', storage)
 * ```
 */
export async function ledgerForBuild(file: string, storage: ArtifactStorage): Promise<Ledger> {
  const ledger = await readLedgerFile(file)
  const stored = await storage.list()
  if (ledger !== null) {
    assertMatchesStorage(ledger, stored, { file, storage: storage.name })
    return ledger
  }
  if (stored.length === 0) return emptyLedger
  const latest = [...stored].sort((a, b) => compareVersions(a.version, b.version)).at(-1)!.version
  const message = `${file} does not exist, but ${storage.name} holds ${stored.length} version(s), up to ${latest}`
  throw new SquizzleError('LEDGER_MISSING', message, {
    hint:
      'The project was released before the ledger existed, or the ledger was deleted. Write it from the storage ' +
      'that holds every released version, check it, and commit it.',
    remedies: [rebuildLedger, { operation: 'ledger.verify' }],
    details: { file, storage: storage.name, versions: stored.length, latest },
  })
}

/**
 * Refuses a version the ledger already released (`VERSION_EXISTS`) or one not
 * above its newest version (`VERSION_NOT_GREATER`): released versions are immutable.
 *
 * @example
 * ```ts
 * assertNewVersion('1.3.0', ledger, 'db/squizzle.sum')
 * ```
 */
export function assertNewVersion(version: string, ledger: Ledger, file: string): void {
  const latest = latestRelease(ledger)?.version ?? null
  if (latest === null || compareVersions(version, latest) > 0) return
  const exists = ledger.versions.some((v) => v.version === version)
  const message = exists
    ? `version ${version} was already released (${file})`
    : `version ${version} is not greater than the latest released version ${latest}`
  throw new SquizzleError(exists ? 'VERSION_EXISTS' : 'VERSION_NOT_GREATER', message, {
    hint: `Released versions are immutable. Choose a version above ${latest}.`,
    details: { version, latest },
  })
}
