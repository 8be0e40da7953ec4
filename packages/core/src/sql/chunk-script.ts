import { nextTopLevelSemicolon } from './statement-cuts.js'

/** A piece of a script and where it starts in the whole text. */
export interface ScriptChunk {
  text: string
  offset: number
}

/** Scripts above this size are sent in pieces of about this size. */
export const defaultChunkChars = 1024 * 1024

/**
 * Cuts a large SQL script into pieces that end at top-level semicolons, so a
 * 50 MB seed goes to the server as ~1 MB queries (bounded memory on both sides)
 * instead of one huge one. Cuts are found scanning statement by statement from
 * the start, so quotes and comments are tracked from a known state. A script with
 * a `BEGIN ATOMIC` body (whose inner semicolons the lexer cannot tell apart) is
 * never cut. Small scripts come back whole.
 *
 * @example
 * ```ts
 * chunkScript(seedSql).map((c) => c.text.length) // [1048601, 1048577, …]
 * ```
 */
export function chunkScript(text: string, maxChars: number = defaultChunkChars): ScriptChunk[] {
  if (text.length <= maxChars || /\bbegin\s+atomic\b/i.test(text)) return [{ text, offset: 0 }]
  const chunks: ScriptChunk[] = []
  let start = 0
  let cut = 0
  while (cut < text.length) {
    const next = nextTopLevelSemicolon(text, cut)
    cut = next === -1 ? text.length : next
    if (cut - start >= maxChars || cut === text.length) {
      chunks.push({ text: text.slice(start, cut), offset: start })
      start = cut
    }
  }
  return chunks.filter((c) => c.text.trim() !== '')
}
