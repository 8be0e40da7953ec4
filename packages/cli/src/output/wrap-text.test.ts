import { describe, expect, it } from 'vitest'
import { wrapText } from './wrap-text.js'

describe('wrapText', () => {
  it('continues an option line under its description, never past the width', () => {
    const text = wrapText('  --to VERSION   undo every applied version above VERSION, newest first', 40)
    expect(text).toBe(
      [
        '  --to VERSION   undo every applied',
        '                 version above VERSION,',
        '                 newest first',
      ].join('\n'),
    )
    for (const line of text.split('\n')) expect(line.length).toBeLessThanOrEqual(40)
  })

  it('indents the continuation of a plain line and leaves short lines alone', () => {
    expect(wrapText('  Each version must have been built on what the database has', 30)).toBe(
      ['  Each version must have been', '    built on what the database', '    has'].join('\n'),
    )
    expect(wrapText('short\n\nlines', 80)).toBe('short\n\nlines')
  })

  it('never breaks a word: a long one stands on its own line', () => {
    expect(wrapText('  see https://example.com/a/very/long/path/that/does/not/fit done', 20).split('\n')).toEqual([
      '  see',
      'https://example.com/a/very/long/path/that/does/not/fit',
      '    done',
    ])
  })
})
