import { describe, expect, it } from 'vitest'
import { chunkScript } from './chunk-script.js'

describe('chunkScript', () => {
  it('returns a small script whole', () => {
    expect(chunkScript('SELECT 1; SELECT 2;', 100)).toEqual([{ text: 'SELECT 1; SELECT 2;', offset: 0 }])
  })

  it('cuts a large script at top-level semicolons only, preserving every byte and offset', () => {
    const statement = "INSERT INTO t VALUES (1, 'a;b', $$c;d$$); -- x;y\n"
    const script = statement.repeat(200)
    const chunks = chunkScript(script, 500)
    expect(chunks.length).toBeGreaterThan(10)
    expect(chunks.map((c) => c.text).join('')).toBe(script)
    for (const c of chunks) {
      expect(script.slice(c.offset, c.offset + c.text.length)).toBe(c.text)
      expect(c.text.trimEnd().endsWith(';') || c.text.trimEnd().endsWith('x;y')).toBe(true)
    }
  })

  it('never cuts a script that holds a BEGIN ATOMIC body', () => {
    const body = 'CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END;\n'
    const script = body + 'SELECT 1;\n'.repeat(500)
    expect(chunkScript(script, 100)).toHaveLength(1)
  })
})
