/**
 * Finds the end of the first top-level `;` at or after `from`, skipping
 * quotes ('…', E'…', "…"), dollar quotes ($tag$…$tag$) and comments (line comments and nested
 * block comments). Returns -1 when there is none.
 *
 * Only used to cut very large files into chunks the real parser can take;
 * the parser checks every chunk, so a wrong cut is an error, never a wrong split.
 *
 * @example
 * ```ts
 * nextTopLevelSemicolon("SELECT ';'; SELECT 2;", 0) // 11
 * ```
 */
export function nextTopLevelSemicolon(text: string, from: number): number {
  let i = from
  const n = text.length
  while (i < n) {
    // Jump to the next character that can matter (native regex scan, not a JS loop per char).
    interesting.lastIndex = i
    if (!interesting.test(text)) return -1
    i = interesting.lastIndex - 1
    const c = text.charCodeAt(i)
    if (c === 59 /* ; */) return i + 1
    if (c === 39 /* ' */) {
      const escaped = i > 0 && (text[i - 1] === 'E' || text[i - 1] === 'e') && !isIdentChar(text.charCodeAt(i - 2))
      i = skipQuoted(text, i + 1, 39, escaped)
    } else if (c === 34 /* " */) {
      i = skipQuoted(text, i + 1, 34, false)
    } else if (c === 45 /* - */ && text.charCodeAt(i + 1) === 45) {
      const end = text.indexOf('\n', i)
      i = end === -1 ? n : end + 1
    } else if (c === 47 /* / */ && text.charCodeAt(i + 1) === 42 /* * */) {
      i = skipBlockComment(text, i + 2)
    } else if (c === 36 /* $ */ && !isIdentChar(text.charCodeAt(i - 1))) {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(text.slice(i, i + 64))
      if (tag) {
        const end = text.indexOf(tag[0], i + tag[0].length)
        i = end === -1 ? n : end + tag[0].length
      } else {
        i++
      }
    } else {
      i++
    }
  }
  return -1
}

/** Characters that start or end something the scanner tracks. */
const interesting = /[;'"\-/$]/g
const quoteOrBackslash = { 39: /['\\]/g, 34: /["\\]/g } as const

function skipQuoted(text: string, i: number, quote: 39 | 34, backslashEscapes: boolean): number {
  const n = text.length
  while (i < n) {
    let next: number
    if (backslashEscapes) {
      const re = quoteOrBackslash[quote]
      re.lastIndex = i
      next = re.test(text) ? re.lastIndex - 1 : -1
    } else {
      next = text.indexOf(quote === 39 ? "'" : '"', i)
    }
    if (next === -1) return n
    if (text.charCodeAt(next) === 92 /* \ */) {
      i = next + 2
    } else if (text.charCodeAt(next + 1) === quote) {
      i = next + 2
    } else {
      return next + 1
    }
  }
  return n
}

function skipBlockComment(text: string, i: number): number {
  let depth = 1
  const n = text.length
  while (i < n && depth > 0) {
    if (text.charCodeAt(i) === 47 && text.charCodeAt(i + 1) === 42) {
      depth++
      i += 2
    } else if (text.charCodeAt(i) === 42 && text.charCodeAt(i + 1) === 47) {
      depth--
      i += 2
    } else {
      i++
    }
  }
  return i
}

function isIdentChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c > 127
}
