import { describe, expect, it } from 'vitest'
import { codeOf } from '../test-support/code-of.js'
import { appendRelease, emptyLedger, type Ledger } from './ledger.js'
import { parseLedger, serializeLedger } from './ledger-format.js'

const hex = (c: string): string => c.repeat(64)

function ledger(): Ledger {
  return {
    versions: [
      {
        version: '1.0.0',
        digest: `sha256:${hex('a')}`,
        previousVersion: null,
        files: [
          { path: 'migrations/001_users.sql', sha256: hex('1') },
          { path: 'rollback/001_users.sql', sha256: hex('2') },
        ],
      },
      {
        version: '1.1.0',
        digest: `sha256:${hex('b')}`,
        previousVersion: '1.0.0',
        files: [{ path: 'migrations/002 add orders.sql', sha256: hex('3') }],
      },
      {
        version: '1.10.0-rc.1',
        digest: `sha256:${hex('c')}`,
        previousVersion: '1.1.0',
        files: [
          { path: 'drizzle/0003_x.sql', sha256: hex('4') },
          { path: 'seed/sub/001_rows.sql', sha256: hex('5') },
        ],
      },
    ],
  }
}

/** Every way of changing one line we can think of, applied to each line in turn. */
const edits: [string, (lines: string[], i: number) => string[]][] = [
  ['flip one character', (lines, i) => lines.map((l, j) => (j === i ? flip(l) : l))],
  ['delete the line', (lines, i) => lines.filter((_, j) => j !== i)],
  ['duplicate the line', (lines, i) => lines.flatMap((l, j) => (j === i ? [l, l] : [l]))],
  ['swap it with the next line', (lines, i) => swap(lines, i)],
  ['add a blank line after it', (lines, i) => lines.flatMap((l, j) => (j === i ? [l, ''] : [l]))],
  ['add a trailing space', (lines, i) => lines.map((l, j) => (j === i ? `${l} ` : l))],
]

/** Changes the last character into another of the same class (a hash stays hex, a name stays a name). */
function flip(line: string): string {
  const c = line.at(-1)!
  const hex = '0123456789abcdef'
  const next = hex.includes(c) ? hex[(hex.indexOf(c) + 1) % 16]! : c === 'x' ? 'y' : 'x'
  return line.slice(0, -1) + next
}

/** The base ledger with one more version (`1.10.0` by default) releasing `path`. */
function plus(path: string, digestChar: string, version = '1.10.0'): Ledger {
  const files = [{ path, sha256: hex('6') }]
  const digest = `sha256:${hex(digestChar)}`
  return appendRelease(ledger(), { version, digest, previousVersion: '1.10.0-rc.1', files })
}

function swap(lines: string[], i: number): string[] {
  const out = [...lines]
  const j = i + 1 < out.length ? i + 1 : i - 1
  ;[out[i], out[j]] = [out[j]!, out[i]!]
  return out
}

describe('the ledger format', () => {
  it('round-trips: parsing what was written gives the same ledger, and writing it again the same bytes', () => {
    const text = serializeLedger(ledger())
    expect(parseLedger(text)).toEqual(ledger())
    expect(serializeLedger(parseLedger(text))).toBe(text)
    expect(parseLedger(serializeLedger(emptyLedger))).toEqual(emptyLedger)
  })

  it('is line-oriented and readable: the chained hash, then per version a version line, file lines and a sum', () => {
    const lines = serializeLedger(ledger()).split('\n')
    expect(lines[0]).toMatch(/^squizzle\.sum v1 h1:[0-9a-f]{64}$/)
    expect(lines.slice(1, 5)).toEqual([
      `version 1.0.0 sha256:${hex('a')} previous -`,
      `  ${hex('1')} migrations/001_users.sql`,
      `  ${hex('2')} rollback/001_users.sql`,
      expect.stringMatching(/^ {2}sum h1:[0-9a-f]{64}$/),
    ])
    expect(lines[5]).toBe(`version 1.1.0 sha256:${hex('b')} previous 1.0.0`)
    expect(lines.at(-1)).toBe('')
  })

  it('changes line 1 with every release, so two branches that each release a version conflict there', () => {
    const header = (l: Ledger) => serializeLedger(l).split('\n')[0]
    const headers = [ledger(), plus('migrations/004_a.sql', 'd'), plus('migrations/004_b.sql', 'e')].map(header)
    expect(new Set(headers).size).toBe(3)
  })

  it('accepts CRLF line endings and a missing final newline (what editors and git on Windows do)', () => {
    const text = serializeLedger(ledger())
    expect(parseLedger(text.replace(/\n/g, '\r\n'))).toEqual(ledger())
    expect(parseLedger(text.slice(0, -1))).toEqual(ledger())
  })

  const lineCount = serializeLedger(ledger()).split('\n').length - 1
  for (const [name, edit] of edits) {
    it(`detects a hand edit anywhere: ${name}, on each line in turn (LEDGER_INVALID)`, () => {
      const lines = serializeLedger(ledger()).slice(0, -1).split('\n')
      for (let i = 0; i < lineCount; i++) {
        const text = `${edit(lines, i).join('\n')}\n`
        expect([i + 1, codeOf(() => parseLedger(text))]).toEqual([i + 1, 'LEDGER_INVALID'])
      }
    })
  }

  it('detects a file cut short at any byte (LEDGER_INVALID)', () => {
    const text = serializeLedger(ledger())
    for (let cut = 0; cut < text.length - 1; cut++) {
      expect([cut, codeOf(() => parseLedger(text.slice(0, cut)))]).toEqual([cut, 'LEDGER_INVALID'])
    }
  })

  it('names the line of a damaged version, never its content', () => {
    const lines = serializeLedger(ledger()).split('\n')
    lines[6] = `  ${hex('9')} migrations/\u001b[31mevil.sql`
    const err = (() => {
      try {
        parseLedger(lines.join('\n'), 'db/squizzle.sum')
      } catch (e) {
        return e as { code: string; message: string; remedies: unknown[]; details: { line: number } }
      }
      throw new Error('no error')
    })()
    expect(err.code).toBe('LEDGER_INVALID')
    expect(err.details.line).toBe(6)
    expect(err.message).not.toContain('\u001b')
    expect(err.remedies).toEqual([{ operation: 'ledger.rebuild', options: { from: '<storage-url>' } }])
  })

  it('refuses a ledger in a format it does not know, or that is not a ledger (LEDGER_INVALID)', () => {
    const text = serializeLedger(ledger())
    expect(codeOf(() => parseLedger(text.replace('squizzle.sum v1', 'squizzle.sum v2')))).toBe('LEDGER_INVALID')
    expect(codeOf(() => parseLedger(''))).toBe('LEDGER_INVALID')
    expect(codeOf(() => parseLedger('{"versions":[]}'))).toBe('LEDGER_INVALID')
  })

  it('reports git conflict markers as LEDGER_CONFLICT, with both sides and how to resolve it', () => {
    const ours = serializeLedger(plus('migrations/004_a.sql', 'd'))
    const theirs = serializeLedger(plus('migrations/004_b.sql', 'e', '1.11.0'))
    const [oursHead, ...oursBody] = ours.split('\n')
    const [theirsHead, ...theirsBody] = theirs.split('\n')
    const shared = serializeLedger(ledger()).split('\n').length - 2 // the base's lines below the header
    const common = oursBody.slice(0, shared)
    // What git writes when both branches changed line 1 and appended after the same line.
    const merged = [
      '<<<<<<< HEAD',
      oursHead,
      '=======',
      theirsHead,
      '>>>>>>> feature',
      ...common,
      '<<<<<<< HEAD',
      ...oursBody.slice(shared, -1),
      '=======',
      ...theirsBody.slice(shared, -1),
      '>>>>>>> feature',
      '',
    ].join('\n')
    let err: { code: string; hint: string; details: { line: number; ours: string[]; theirs: string[] } } | undefined
    try {
      parseLedger(merged, 'db/squizzle.sum')
    } catch (e) {
      err = e as typeof err
    }
    expect(err?.code).toBe('LEDGER_CONFLICT')
    expect(err?.details).toMatchObject({ line: 1, ours: ['1.10.0'], theirs: ['1.11.0'] })
    expect(err?.hint).toContain('git checkout --theirs db/squizzle.sum')
    expect(err?.hint).toMatch(/new version above/)
    const diff3 = ['<<<<<<< ours', oursHead, '||||||| base', 'x', '=======', theirsHead, '>>>>>>> theirs', ...common]
    expect(codeOf(() => parseLedger(diff3.join('\n')))).toBe('LEDGER_CONFLICT')
  })

  it.each<[string, (l: Ledger) => void]>([
    ['versions out of order', (l) => l.versions.reverse()],
    ['a previous version that is not the one before', (l) => void (l.versions[1]!.previousVersion = null)],
    ['a file released twice', (l) => void (l.versions[1]!.files[0]!.path = 'migrations/001_users.sql')],
    ['a path outside the SQL folders', (l) => void (l.versions[1]!.files[0]!.path = 'schema/snapshot.json')],
    ['a path with ..', (l) => void (l.versions[1]!.files[0]!.path = 'migrations/../x.sql')],
    ['a malformed digest', (l) => void (l.versions[1]!.digest = hex('b'))],
    ['a malformed sha256', (l) => void (l.versions[1]!.files[0]!.sha256 = 'abc')],
    ['a version that is not semver', (l) => void (l.versions[1]!.version = 'v1.1')],
  ])('never writes a ledger with %s (LEDGER_INVALID)', (_name, change) => {
    const bad = ledger()
    change(bad)
    expect(codeOf(() => serializeLedger(bad))).toBe('LEDGER_INVALID')
  })

  it('only appends in order, naming the newest version as previous', () => {
    const entry = { version: '1.2.0', digest: `sha256:${hex('d')}`, previousVersion: '1.10.0-rc.1', files: [] }
    expect(codeOf(() => appendRelease(ledger(), entry))).toBe('USAGE')
    const skipping = { ...entry, version: '2.0.0', previousVersion: '1.1.0' }
    expect(codeOf(() => appendRelease(ledger(), skipping))).toBe('USAGE')
    expect(appendRelease(ledger(), { ...entry, version: '2.0.0' }).versions.at(-1)?.version).toBe('2.0.0')
  })
})
