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

function skipQuoted(text: string, i: number, quote: number, backslashEscapes: boolean): number {
  const n = text.length
  while (i < n) {
    const c = text.charCodeAt(i)
    if (backslashEscapes && c === 92 /* \ */) {
      i += 2
    } else if (c === quote) {
      if (text.charCodeAt(i + 1) === quote) i += 2
      else return i + 1
    } else {
      i++
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
