import { describe, expect, it } from 'vitest'
import { chunkScript } from './chunk-script.js'
import { scriptPieces, type ScriptPiece } from './script-pieces.js'

/** `text` as UTF-8 bytes in pieces of `size` bytes (cutting multi-byte characters). */
async function* bytesOf(text: string, size: number): AsyncGenerator<Buffer> {
  const bytes = Buffer.from(text, 'utf8')
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size)
}

async function piecesOf(text: string, chunkBytes: number, maxChars: number): Promise<ScriptPiece[]> {
  const pieces: ScriptPiece[] = []
  for await (const piece of scriptPieces(bytesOf(text, chunkBytes), maxChars)) pieces.push(piece)
  return pieces
}

describe('scriptPieces', () => {
  const statement =
    "INSERT INTO t VALUES (1, 'a;b €', $$c;d$$, E'\\';'); -- x;y\n/* ; */ INSERT INTO \"q;\" VALUES (2);\n"
  const script = statement.repeat(300)

  it('cuts a stream exactly where chunkScript cuts the whole text, whatever the read sizes', async () => {
    // chunkScript leaves out a blank tail; here it stays with the last piece.
    const expected = chunkScript(script, 700).map((c) => c.text.trimEnd())
    for (const chunkBytes of [1, 7, 100, 4096, 1 << 20]) {
      const pieces = await piecesOf(script, chunkBytes, 700)
      expect(
        pieces
          .map((p) => p.text)
          .join('')
          .trimEnd(),
      ).toBe(script.trimEnd())
      expect(pieces.map((p) => p.text.trimEnd())).toEqual(expected)
    }
  })

  it('says on which line each piece starts', async () => {
    const pieces = await piecesOf(script, 333, 700)
    let line = 1
    for (const piece of pieces) {
      expect(piece.line).toBe(line)
      line += piece.text.split('\n').length - 1
    }
  })

  it('keeps one huge statement whole, and cuts nothing after a BEGIN ATOMIC', async () => {
    const huge = `INSERT INTO t VALUES ${Array.from({ length: 5000 }, (_, i) => `(${i}, ';')`).join(', ')};\n`
    const hugePieces = await piecesOf(huge + 'SELECT 1;\n', 64, 100)
    expect(hugePieces.map((p) => p.text.trim())).toEqual([huge.trim(), 'SELECT 1;'])
    const before = 'SELECT 1;\n'.repeat(50)
    const atomic = 'CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN\n  ATOMIC SELECT 1; SELECT 2; END;\n'
    const after = 'SELECT 2;\n'.repeat(50)
    const pieces = (await piecesOf(before + atomic + after, 9, 100)).map((p) => p.text)
    expect(pieces.join('').trimEnd()).toBe((before + atomic + after).trimEnd())
    expect(pieces.at(-1)).toContain(atomic + after)
  })

  it('yields nothing for an empty or blank stream', async () => {
    expect(await piecesOf('', 10, 100)).toEqual([])
    expect(await piecesOf('  \n\n', 1, 100)).toEqual([])
  })
})
