import type { Remedy } from '../errors/remedy.js'
import { SquizzleError } from '../errors/squizzle-error.js'

/** Writing the ledger again from the storage that holds every released version. */
export const rebuildLedger: Remedy = { operation: 'ledger.rebuild', options: { from: '<storage-url>' } }

/**
 * `LEDGER_INVALID`: the ledger was edited by hand, damaged or cut short. Names the
 * line, never its content (a damaged file may hold anything).
 *
 * @example
 * ```ts
 * throw ledgerInvalid('db/squizzle.sum', 7, 'the lines of version 1.1.0 do not match its sum')
 * ```
 */
export function ledgerInvalid(file: string, line: number | null, problem: string, hint?: string): SquizzleError {
  return new SquizzleError('LEDGER_INVALID', `${file}${line === null ? '' : ` line ${line}`}: ${problem}`, {
    hint:
      hint ??
      `The release ledger was edited by hand or damaged. Restore it from git (git checkout -- ${file}), ` +
        'or write it again from the storage that holds every released version.',
    remedies: [rebuildLedger],
    details: { file, line },
  })
}

/** What each side of a git conflict in the ledger adds, as far as its version lines say. */
export interface ConflictSides {
  line: number
  ours: string[]
  theirs: string[]
}

/**
 * `LEDGER_CONFLICT`: the ledger still holds git's conflict markers, because two
 * branches each released a version. The hint says how to resolve it.
 *
 * @example
 * ```ts
 * throw ledgerConflict('db/squizzle.sum', { line: 1, ours: ['1.2.0'], theirs: ['1.2.0'] })
 * ```
 */
export function ledgerConflict(file: string, sides: ConflictSides): SquizzleError {
  const side = (versions: string[]) => (versions.length ? versions.join(', ') : 'no version')
  return new SquizzleError(
    'LEDGER_CONFLICT',
    `${file} has unresolved git conflict markers (line ${sides.line}): two branches each released a version ` +
      `(one side adds ${side(sides.ours)}, the other ${side(sides.theirs)})`,
    {
      hint:
        'Released history cannot be merged line by line. Keep the ledger of the branch that released first ' +
        `(usually main): \`git checkout --theirs ${file}\` when you merge main into your branch ` +
        '(`--ours` when you merge into main or rebase). ' +
        'Your own files are then unreleased again: build them as a new version above the newest one in that ledger ' +
        '(rename your version, not the files), and commit the ledger that build writes. ' +
        'A version you built before the merge and never pushed stays in your local storage; delete that storage ' +
        '(e.g. .squizzle/artifacts: build works from the ledger) so it does not contradict the ledger.',
      details: { file, ...sides },
    },
  )
}
