import { createHash } from 'node:crypto'
import type { LedgerVersion } from './ledger.js'

// The format, line by line (LF endings, UTF-8, no trailing spaces):
//
//   squizzle.sum v1 h1:<hex>                          the chained hash after the last version
//   version <version> <digest> previous <version|->   one per released version, oldest first
//     <sha256> <bundle path>                          one per file the version released
//     sum h1:<hex>                                    the chained hash after this version
//
// h1 is SHA-256, as lower-case hex, of the previous chained hash, a LF and the
// version's lines (each ending in LF); the chain starts from the hash of the header
// `squizzle.sum v1` LF. Line 1 changes with every release, so two branches that each
// release a version always conflict there in git, and any edited, added, removed or
// reordered line breaks a hash.

/** The format's name and version, as line 1 begins. */
export const ledgerFormat = 'squizzle.sum v1'

/** The chained hash of a ledger without versions. */
export const chainSeed = sha256Hex(`${ledgerFormat}\n`)

/**
 * The chained hash after a version's lines.
 *
 * @example
 * ```ts
 * const sum = chainHash(chainSeed, ['version 1.0.0 sha256:… previous -', '  9f86… migrations/001_users.sql'])
 * ```
 */
export function chainHash(previous: string, lines: readonly string[]): string {
  return sha256Hex(`${previous}\n${lines.map((line) => `${line}\n`).join('')}`)
}

/**
 * A version's lines as the ledger writes them, without its sum line.
 *
 * @example
 * ```ts
 * versionLines({ version: '1.0.0', digest, previousVersion: null, files })
 * // ['version 1.0.0 sha256:… previous -', '  9f86… migrations/001_users.sql']
 * ```
 */
export function versionLines(entry: LedgerVersion): string[] {
  return [
    `version ${entry.version} ${entry.digest} previous ${entry.previousVersion ?? '-'}`,
    ...entry.files.map((file) => `  ${file.sha256} ${file.path}`),
  ]
}

/**
 * The sum line closing a version's lines.
 *
 * @example
 * ```ts
 * sumLine(chainHash(chainSeed, lines)) // '  sum h1:…'
 * ```
 */
export function sumLine(hash: string): string {
  return `  sum h1:${hash}`
}

/**
 * Line 1 of a ledger whose last chained hash is `hash`.
 *
 * @example
 * ```ts
 * headerLine(chainSeed) // 'squizzle.sum v1 h1:…', the header of a ledger without versions
 * ```
 */
export function headerLine(hash: string): string {
  return `${ledgerFormat} h1:${hash}`
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex')
}
