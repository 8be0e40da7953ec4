import { PassThrough } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { terminalStyle } from './colors.js'
import { guardedOutput } from './guarded-output.js'
import { escapeJsonControls } from './terminal-text.js'

describe('terminalStyle', () => {
  it('turns its own colour marks into SGR and every other control character into a visible escape', () => {
    const { colors, render } = terminalStyle(true)
    expect(render(`${colors.green('✓')} a\u001b[2Jb\u009b1m\u202ec\u2066d\u007f`)).toBe(
      '\u001b[32m✓\u001b[39m a\\x1b[2Jb\\x9b1m\\u202ec\\u2066d\\x7f',
    )
  })

  it('keeps tabs, newlines and a carriage return that ends a line; escapes a bare one', () => {
    const { render } = terminalStyle(false)
    expect(render('a\tb\r\nc\rd\n')).toBe('a\tb\r\nc\\x0dd\n')
  })

  it('cannot be fooled by a mark another style made, or by a NUL followed by digits', () => {
    const other = terminalStyle(true).colors.red('x')
    const { render } = terminalStyle(true)
    expect(render(other)).not.toContain('\u001b')
    expect(render('\u000012m')).toBe('\\x0012m')
  })

  it('writes plain text when colour is off', () => {
    const { colors, render } = terminalStyle(false)
    expect(render(colors.bold('x'))).toBe('x')
  })
})

describe('escapeJsonControls', () => {
  it('escapes DEL, C1 and bidi controls as \\u, keeping the JSON value exact', () => {
    const value = { name: 'a\u007fb\u0085c\u202ed\u2069' }
    const text = escapeJsonControls(JSON.stringify(value))
    expect(text).not.toMatch(/[\u007f-\u009f\u202a-\u202e\u2066-\u2069]/)
    expect(JSON.parse(text)).toEqual(value)
  })
})

describe('guardedOutput', () => {
  it('stops writing quietly when the reader is gone, and keeps other write errors as a failure', () => {
    const closed = new PassThrough()
    const guard = guardedOutput(closed)
    closed.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }))
    guard.write('after\n')
    expect(guard.failure).toBeUndefined()
    const full = new PassThrough()
    const other = guardedOutput(full)
    full.emit('error', Object.assign(new Error('no space left'), { code: 'ENOSPC' }))
    expect(other.failure?.message).toBe('no space left')
    expect(guardedOutput(full)).toBe(other)
  })
})
