import { SquizzleError } from '../errors/squizzle-error.js'
import { rebuildLedger } from './ledger-errors.js'
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
    if (digest === undefined) {
      problems.push({ kind: 'not-in-ledger', version: v.version, stored: v.digest })
    } else if (digest !== v.digest) {
      problems.push({ kind: 'digest-mismatch', version: v.version, ledger: digest, stored: v.digest })
    }
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
export function assertMatchesStorage(ledger: Ledger, stored: readonly VersionInfo[], names: LedgerNames): void {
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
export function ledgerStorageError(problem: LedgerProblem, names: LedgerNames): SquizzleError {
  switch (problem.kind) {
    case 'digest-mismatch':
    case 'not-in-ledger':
      return storageDisagrees(problem, names)
    case 'file-missing': {
      const message = `${problem.path}, released in ${problem.version}, is not in the repository`
      return new SquizzleError('RELEASED_FILE_MISSING', message, {
        hint: `Released SQL stays in the repository: restore it from git (it is listed in ${names.file}).`,
        details: { ...problem, file: names.file },
      })
    }
    case 'file-modified': {
      const message = `${problem.path} was released in version ${problem.version} and has been modified since`
      return new SquizzleError('RELEASED_FILE_MODIFIED', message, {
        hint: `Released SQL is immutable. Restore ${problem.path} (git checkout) and put the change in a new file.`,
        details: { ...problem, file: names.file },
      })
    }
  }
}

/** The ledger file and the storage, as messages name them. */
export interface LedgerNames {
  file: string
  storage: string
}

const staleLocalBuild =
  'A version built here on a branch whose ledger was dropped, never pushed nor applied, lives only in your ' +
  'local storage: delete that storage (e.g. .squizzle/artifacts; build works from the ledger alone).'

function storageDisagrees(problem: Extract<LedgerProblem, { stored: string }>, names: LedgerNames): SquizzleError {
  const { file, storage } = names
  const details = { ...problem, file, storage }
  if (problem.kind === 'digest-mismatch') {
    const message = `version ${problem.version} is ${problem.ledger} in ${file} but ${problem.stored} in ${storage}`
    return new SquizzleError('LEDGER_MISMATCH', message, {
      hint: `${staleLocalBuild} Otherwise one was replaced: restore the ledger from git, or the artifact from a copy.`,
      details,
    })
  }
  const message = `${storage} holds version ${problem.version}, which ${file} does not list`
  return new SquizzleError('LEDGER_INCOMPLETE', message, {
    hint:
      `This branch's ledger is behind the storage: merge or pull the branch that released ${problem.version}, so its ` +
      'ledger comes along. If the ledger was lost, write it again from the storage. ' +
      staleLocalBuild,
    remedies: [rebuildLedger],
    details,
  })
}
