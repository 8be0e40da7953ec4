import { describe, expect, it } from 'vitest'
import { shortDigest, table } from './table.js'

describe('table', () => {
  it('lines up columns under a heading row', () => {
    expect(
      table(
        [{ heading: 'VERSION' }, { heading: 'NOTES' }],
        [
          ['1.0.0', 'first'],
          ['10.20.30', 'x'],
        ],
        80,
      ),
    ).toEqual(['VERSION   NOTES', '1.0.0     first', '10.20.30  x'])
  })

  it('cuts the flexible column so rows fit the width, and keeps a row on one line', () => {
    const notes = 'a long note that goes on and on\nover two lines'
    const lines = table([{ heading: 'VERSION' }, { heading: 'NOTES', flexible: true }], [['1.0.0', notes]], 30)
    expect(lines[1]).toBe('1.0.0    a long note that goe…')
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(30)
  })
})

describe('shortDigest', () => {
  it('keeps the algorithm and 8 hex digits', () => {
    expect(shortDigest(`sha256:${'ab'.repeat(32)}`)).toBe('sha256:abababab…')
  })
})
