import { describe, expect, it } from 'vitest'
import { nextTopLevelSemicolon } from './statement-cuts.js'

/** The text up to the cut found from `from`, or null. */
function cut(text: string, from = 0): string | null {
  const end = nextTopLevelSemicolon(text, from)
  return end === -1 ? null : text.slice(from, end)
}

describe('nextTopLevelSemicolon', () => {
  it('returns the index just after the first top-level semicolon', () => {
    expect(nextTopLevelSemicolon("SELECT ';'; SELECT 2;", 0)).toBe(11)
    expect(nextTopLevelSemicolon('SELECT 1; SELECT 2;', 9)).toBe(19)
  })

  it('returns -1 when there is none', () => {
    expect(nextTopLevelSemicolon('SELECT 1', 0)).toBe(-1)
    expect(nextTopLevelSemicolon('', 0)).toBe(-1)
    expect(nextTopLevelSemicolon('SELECT 1;', 9)).toBe(-1)
  })

  it.each([
    ['a string with a doubled quote', "SELECT 'it''s; fine';"],
    ['an E string with a backslash-escaped quote', "SELECT E'it\\'s; fine';"],
    ['a lower-case e string', "SELECT e'\\\\'';' ;"],
    ['a quoted identifier', 'SELECT 1 AS "a;b"";c";'],
    ['a line comment', 'SELECT 1 -- not here;\n;'],
    ['a nested block comment', 'SELECT /* a /* b; */ c; */ 1;'],
    ['a dollar quote', 'SELECT $$ a; b $$;'],
    ['a tagged dollar quote holding $$', 'SELECT $fn$ a; $$ b; $$ $fn$;'],
  ])('skips semicolons inside %s', (_name, text) => {
    expect(cut(text)).toBe(text)
  })

  it('treats a backslash in a standard string as an ordinary character', () => {
    expect(cut("SELECT 'a\\'; SELECT 2;")).toBe("SELECT 'a\\';")
  })

  it('does not take a $ inside an identifier or a parameter for a dollar quote', () => {
    expect(cut('SELECT a$b$ FROM t; SELECT 2;')).toBe('SELECT a$b$ FROM t;')
    expect(cut('SELECT $1; SELECT $2;')).toBe('SELECT $1;')
  })

  it('does not take an identifier ending in e for an E string prefix', () => {
    expect(cut("SELECT name'\\'; SELECT 2;")).toBe("SELECT name'\\';")
  })

  it('runs to the end of the text inside an unterminated quote or comment', () => {
    expect(nextTopLevelSemicolon("SELECT 'abc; def", 0)).toBe(-1)
    expect(nextTopLevelSemicolon('SELECT /* abc; def', 0)).toBe(-1)
    expect(nextTopLevelSemicolon('SELECT $x$ abc; def', 0)).toBe(-1)
  })
})
