import { SquizzleError } from '../errors/squizzle-error.js'
import type { VersionInfo } from '../storage/artifact-storage.js'
import type { Ledger } from './ledger.js'

/** A disagreement between the ledger and the storage, or the ledger and the repository. */
export type LedgerProblem =
  /** The version is in both, as two different artifacts. */
  | { kind: 'digest-mismatch'; version: string; ledger: string; stored: string }
  /** The storage holds a version the ledger does not list. */
  | { kind: 'not-in-ledger'; version: string; stored: string }
  /** A released file is no longer in the repository. */
  | { kind: 'file-missing'; version: string; path: string }
  /** A released file's bytes changed since it was released. */
  | { kind: 'file-modified'; version: string; path: string; ledger: string; current: string }

/**
 * Compares the ledger with a storage's versions: each stored version must be in
 * the ledger with the same digest. Versions of the ledger the storage lacks are
 * fine (a fresh clone's local storage is empty). Pure.
 *
 * @example
 * ```ts
 * const problems = compareWithStorage(ledger, await storage.list())
 * ```
 */
export function compareWithStorage(ledger: Ledger, stored: readonly VersionInfo[]): LedgerProblem[] {
  const released = new Map(ledger.versions.map((v) => [v.version, v.digest]))
  const problems: LedgerProblem[] = []
  for (const v of stored) {
    const digest = released.get(v.version)
    if (digest === undefined) problems.push({ kind: 'not-in-ledger', version: v.version, stored: v.digest })
    else if (digest !== v.digest) problems.push({ kind: 'digest-mismatch', version: v.version, ledger: digest, stored: v.digest })
  }
  return problems
}

/**
 * Throws for the first disagreement {@link compareWithStorage} finds:
 * `LEDGER_MISMATCH` for a version stored as another artifact than the ledger
 * names, `LEDGER_INCOMPLETE` for a stored version the ledger does not list.
 *
 * @example
 * ```ts
 * assertMatchesStorage(ledger, await storage.list(), { file: 'db/squizzle.sum', storage: storage.name })
 * ```
 */
export function assertMatchesStorage(ledger: Ledger, stored: readonly VersionInfo[], names: { file: string; storage: string }): void {
  const problem = compareWithStorage(ledger, stored)[0]
  if (problem === undefined) return
  throw ledgerStorageError(problem, names)
}

/**
 * The error for one ledger/storage disagreement, with what to do about it.
 *
 * @example
 * ```ts
 * throw ledgerStorageError({ kind: 'not-in-ledger', version: '1.3.0', stored: digest }, names)
 * ```
 */
export function ledgerStorageError(problem: LedgerProblem, names: { file: string; storage: string }): SquizzleError {
  const { file, storage } = names
  const local = 'A version built here on a branch whose ledger was dropped, never pushed nor applied, lives only in your ' +
    'local storage: delete that storage (e.g. .squizzle/artifacts; build works from the ledger alone).'
  switch (problem.kind) {
    case 'digest-mismatch':
      return new SquizzleError('LEDGER_MISMATCH', `version ${problem.version} is ${problem.ledger} in ${file} but ${problem.stored} in ${storage}`, {
        hint: `${local} Otherwise one of the two was replaced: restore the ledger from git, or the storage's artifact from a trusted copy.`,
        details: { ...problem, file, storage },
      })
    case 'not-in-ledger':
      return new SquizzleError('LEDGER_INCOMPLETE', `${storage} holds version ${problem.version}, which ${file} does not list`, {
        hint:
          `This branch's ledger is behind the storage: merge or pull the branch that released ${problem.version}, so its ledger comes along. ` +
          `If the ledger was lost, write it again: squizzle ledger rebuild --from <storage-url>. ${local}`,
        details: { ...problem, file, storage },
      })
    case 'file-missing':
      return new SquizzleError('RELEASED_FILE_MISSING', `${problem.path}, released in ${problem.version}, is not in the repository`, {
        hint: `Released SQL stays in the repository: restore it from git (it is listed in ${file}).`,
        details: { ...problem, file },
      })
    case 'file-modified':
      return new SquizzleError('RELEASED_FILE_MODIFIED', `${problem.path} was released in version ${problem.version} and has been modified since`, {
        hint: `Released SQL is immutable. Restore ${problem.path} to its released content (git checkout) and put the change in a new file.`,
        details: { ...problem, file },
      })
  }
}
