import { compareVersions, isVersion } from '../version/version.js'
import { ledgerInvalid } from './ledger-errors.js'
import type { Ledger, LedgerVersion } from './ledger.js'

const digestPattern = /^sha256:[0-9a-f]{64}$/
const sha256Pattern = /^[0-9a-f]{64}$/
// A bundle path of SQL, exactly as the manifest schema admits one (so it is safe to print).
const segment = '[A-Za-z0-9_@+=,-]([A-Za-z0-9_@+=,. -]*[A-Za-z0-9_@+=,.-])?'
const sqlPathPattern = new RegExp(`^(drizzle|migrations|seed|rollback)/(${segment}/)*${segment}\\.sql$`)

/**
 * Checks what a ledger means, beyond its lines: versions are semantic versions in
 * ascending order, each names the one before it as previous, digests and SHA-256s
 * are well formed, paths are SQL bundle paths and no file is released twice.
 * Throws `LEDGER_INVALID`. Pure.
 *
 * @example
 * ```ts
 * checkLedger(ledger, 'db/squizzle.sum')
 * ```
 */
export function checkLedger(ledger: Ledger, file: string): void {
  const paths = new Map<string, string>()
  let previous: LedgerVersion | null = null
  for (const entry of ledger.versions) {
    checkEntry(entry, previous, file)
    for (const [index, f] of entry.files.entries()) {
      const which = `file ${index + 1} of version ${entry.version}`
      if (!sqlPathPattern.test(f.path)) throw ledgerInvalid(file, null, `${which} is not a bundle path of a SQL file`)
      if (!sha256Pattern.test(f.sha256)) throw ledgerInvalid(file, null, `${which} has no valid SHA-256`)
      const earlier = paths.get(f.path)
      if (earlier !== undefined) {
        throw ledgerInvalid(file, null, `${f.path} is listed by version ${earlier} and again by ${entry.version}`)
      }
      paths.set(f.path, entry.version)
    }
    previous = entry
  }
}

function checkEntry(entry: LedgerVersion, previous: LedgerVersion | null, file: string): void {
  if (!isVersion(entry.version)) throw ledgerInvalid(file, null, 'a version is not a semantic version')
  if (!digestPattern.test(entry.digest)) throw ledgerInvalid(file, null, `version ${entry.version} has no valid digest`)
  if (previous !== null && compareVersions(entry.version, previous.version) <= 0) {
    const problem = `version ${entry.version} comes after ${previous.version}: versions must be in ascending order`
    throw ledgerInvalid(file, null, problem)
  }
  const expected = previous?.version ?? null
  if (entry.previousVersion !== expected) {
    const named = entry.previousVersion === null ? 'no previous version' : `${entry.previousVersion} as previous`
    const problem = `version ${entry.version} names ${named}, but the version before it is ${expected ?? 'none'}`
    throw ledgerInvalid(file, null, problem)
  }
}
