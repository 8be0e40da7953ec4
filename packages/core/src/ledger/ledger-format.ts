import { isVersion } from '../version/version.js'
import { chainHash, chainSeed, headerLine, ledgerFormat, sumLine, versionLines } from './ledger-chain.js'
import { findConflict } from './ledger-conflict.js'
import { ledgerConflict, ledgerInvalid } from './ledger-errors.js'
import { checkLedger } from './check-ledger.js'
import type { Ledger, LedgerVersion } from './ledger.js'

const headerPattern = /^squizzle\.sum v([0-9]+) h1:([0-9a-f]{64})$/
const versionPattern = /^version (\S+) (sha256:[0-9a-f]{64}) previous (\S+)$/
const filePattern = /^ {2}([0-9a-f]{64}) (.+)$/
const sumPattern = /^ {2}sum h1:([0-9a-f]{64})$/

/** A version being read: its entry, its lines (for the chain) and where it starts. */
interface OpenBlock {
  entry: LedgerVersion
  lines: string[]
  start: number
}

/**
 * Reads a ledger's text and checks all of it: the format, every line, the order of
 * versions, each version's chained hash and line 1's hash over the whole. Throws
 * `LEDGER_CONFLICT` when git conflict markers are left in it and `LEDGER_INVALID`
 * (naming the line) for anything edited, damaged or cut short. Pure.
 *
 * @example
 * ```ts
 * const ledger = parseLedger(await readFile('db/squizzle.sum', 'utf8'), 'db/squizzle.sum')
 * ```
 */
export function parseLedger(text: string, file = 'squizzle.sum'): Ledger {
  const lines = text.replace(/\r\n/g, '\n').replace(/\n$/, '').split('\n')
  const conflict = findConflict(lines)
  if (conflict) throw ledgerConflict(file, conflict)
  const recorded = readHeader(lines[0] ?? '', file)
  const versions: LedgerVersion[] = []
  let chain = chainSeed
  let open: OpenBlock | null = null
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!
    const at = i + 1
    if (open === null) {
      open = { entry: readVersionLine(line, at, file), lines: [line], start: at }
      continue
    }
    const sum = sumPattern.exec(line)
    if (sum) {
      chain = closeBlock(open, chain, sum[1]!, at, file)
      versions.push(open.entry)
      open = null
      continue
    }
    open.entry.files.push(readFileLine(line, at, file))
    open.lines.push(line)
  }
  if (open !== null) {
    const problem = `the file ends inside version ${open.entry.version} (no sum line): it was cut short`
    throw ledgerInvalid(file, open.start, problem)
  }
  if (recorded !== chain) {
    const problem =
      'the hash on line 1 does not match the versions below it: ' +
      'a version was added, removed or edited by hand, or the file was cut short'
    throw ledgerInvalid(file, 1, problem)
  }
  checkLedger({ versions }, file)
  return { versions }
}

/**
 * Writes a ledger as text: deterministic (the same ledger always gives the same
 * bytes), one line per version and per file, every hash recomputed. Checks the
 * ledger first, so it never writes one that `parseLedger` would refuse.
 *
 * @example
 * ```ts
 * await writeFile('db/squizzle.sum', serializeLedger(ledger))
 * ```
 */
export function serializeLedger(ledger: Ledger, file = 'squizzle.sum'): string {
  checkLedger(ledger, file)
  let chain = chainSeed
  const body: string[] = []
  for (const entry of ledger.versions) {
    const lines = versionLines(entry)
    chain = chainHash(chain, lines)
    body.push(...lines, sumLine(chain))
  }
  return [headerLine(chain), ...body].map((line) => `${line}\n`).join('')
}

function readHeader(line: string, file: string): string {
  const match = headerPattern.exec(line)
  if (!match) {
    const what = line.trim() === '' ? 'the ledger is empty' : `line 1 is not a "${ledgerFormat} h1:<hash>" header`
    throw ledgerInvalid(file, 1, what)
  }
  if (match[1] !== '1') {
    const hint = 'It was written by a newer Squizzle: upgrade the CLI or library that reads it.'
    throw ledgerInvalid(file, 1, `the ledger is in format v${match[1]}, which this Squizzle does not know`, hint)
  }
  return match[2]!
}

function readVersionLine(line: string, at: number, file: string): LedgerVersion {
  const match = versionPattern.exec(line)
  if (!match) throw ledgerInvalid(file, at, 'expected a "version <version> <digest> previous <version|->" line')
  const [, version, digest, previous] = match as unknown as [string, string, string, string]
  for (const v of previous === '-' ? [version] : [version, previous]) {
    if (!isVersion(v)) throw ledgerInvalid(file, at, 'a version on this line is not a semantic version')
  }
  return { version, digest, previousVersion: previous === '-' ? null : previous, files: [] }
}

function readFileLine(line: string, at: number, file: string): { path: string; sha256: string } {
  const match = filePattern.exec(line)
  if (!match) throw ledgerInvalid(file, at, 'expected a "  <sha256> <path>" file line or a "  sum h1:<hash>" line')
  return { sha256: match[1]!, path: match[2]! }
}

function closeBlock(open: OpenBlock, previous: string, recorded: string, at: number, file: string): string {
  const chain = chainHash(previous, open.lines)
  if (chain !== recorded) {
    const lines = `lines ${open.start}–${at}`
    const problem = `the lines of version ${open.entry.version} (${lines}) do not match its sum: edited by hand`
    throw ledgerInvalid(file, open.start, problem)
  }
  return chain
}
