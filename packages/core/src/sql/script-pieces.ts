import { StringDecoder } from 'node:string_decoder'
import { defaultChunkChars } from './chunk-script.js'
import { nextTopLevelSemicolon } from './statement-cuts.js'

/** A piece of a script read from a stream: its text and the 1-based line it starts on. */
export interface ScriptPiece {
  text: string
  line: number
}

const beginAtomic = /\bbegin\s+atomic\b/i
/** Bytes decoded at a time. */
const decodeBytes = 16 * 1024
/** At least this much new text between two scans of the pending text. */
const minScanChars = 64 * 1024

/**
 * Cuts a script that arrives as UTF-8 bytes into pieces of about `maxChars` that end at
 * top-level semicolons, as {@link chunkScript} cuts a whole text, holding only the
 * piece being filled: a seed of any size costs about one piece of memory. Pending text
 * always starts where a statement starts, so quotes and comments are tracked from a
 * known state; it is scanned again only once it has doubled, so one huge statement
 * costs linear time. From the first `BEGIN ATOMIC` on (whose inner semicolons the
 * lexer cannot tell apart), nothing more is cut: the rest comes as one piece.
 *
 * @example
 * ```ts
 * for await (const piece of scriptPieces(createReadStream('seed.sql'))) await sql.unsafe(piece.text).simple()
 * ```
 */
export async function* scriptPieces(
  bytes: AsyncIterable<Buffer>,
  maxChars: number = defaultChunkChars,
): AsyncGenerator<ScriptPiece, void, undefined> {
  const decoder = new StringDecoder('utf8')
  const cutter = new PieceCutter(maxChars)
  for await (const chunk of bytes) {
    // Decoded in small slices: short strings die young, where garbage is cheap to collect.
    for (let i = 0; i < chunk.length; i += decodeBytes) {
      yield* cutter.add(decoder.write(chunk.subarray(i, i + decodeBytes)))
    }
  }
  yield* cutter.end(decoder.end())
}

/** The pending text of {@link scriptPieces} and where it may be cut. */
class PieceCutter {
  private pending = ''
  /** Where the last cut found in `pending` ends (a statement starts there). */
  private cut = 0
  /** Scan again once `pending` is this long. */
  private scanAt = 0
  private line = 1
  private whole = false

  constructor(private readonly maxChars: number) {}

  *add(text: string): Generator<ScriptPiece> {
    this.pending += text
    if (this.pending.length >= this.scanAt) yield* this.scan()
  }

  *end(text: string): Generator<ScriptPiece> {
    this.pending += text
    yield* this.scan()
    if (this.pending.trim() !== '') yield this.take(this.pending.length)
  }

  /** Takes every piece the pending text holds, unless a BEGIN ATOMIC was seen. */
  private *scan(): Generator<ScriptPiece> {
    // Cuts before a BEGIN ATOMIC are sound; from it on, none is.
    if (this.whole || beginAtomic.test(this.pending)) {
      this.whole = true
      return
    }
    for (let next = nextTopLevelSemicolon(this.pending, this.cut); next !== -1;) {
      this.cut = next
      if (this.cut >= this.maxChars) yield this.take(this.cut)
      next = nextTopLevelSemicolon(this.pending, this.cut)
    }
    // Text after the last cut is scanned again next time: wait until it has doubled (and grown by a chunk).
    const unscanned = this.pending.length - this.cut
    const grown = this.pending.length + Math.min(minScanChars, this.maxChars)
    this.scanAt = Math.max(this.maxChars, this.cut + 2 * unscanned, grown)
  }

  private take(length: number): ScriptPiece {
    const piece = { text: this.pending.slice(0, length), line: this.line }
    this.pending = this.pending.slice(length)
    this.cut = 0
    this.scanAt = 0
    this.line += countNewlines(piece.text)
    return piece
  }
}

function countNewlines(text: string): number {
  let n = 0
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++
  return n
}
