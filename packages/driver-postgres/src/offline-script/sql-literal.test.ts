import { describe, expect, it } from 'vitest'
import { quoteLiteral } from './sql-literal.js'

describe('quoteLiteral', () => {
  it('dollar-quotes with a tag the text does not hold', () => {
    const text = "it's $$ a \\ test :var $sq_ and $sq_0000$"
    const literal = quoteLiteral(text)
    const tag = /^\$sq_[0-9a-f]{8}\$/.exec(literal)![0]
    expect(literal).toBe(`${tag}${text}${tag}`)
    expect(text).not.toContain(tag)
  })

  it('refuses a NUL, which PostgreSQL text cannot hold', () => {
    expect(() => quoteLiteral('a\u0000b')).toThrow(RangeError)
  })
})
