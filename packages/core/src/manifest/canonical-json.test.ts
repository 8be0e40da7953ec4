import { describe, expect, it } from 'vitest'
import { canonicalJson } from './canonical-json.js'

describe('canonicalJson', () => {
  it('sorts object keys, recursively, inside arrays too', () => {
    expect(canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[{"y":2,"z":1}]},"b":1}',
    )
  })

  it('gives equal strings for equal values built in a different key order', () => {
    const one = { version: '1.0.0', files: [{ path: 'a', size: 1 }], tools: { squizzle: '1', 'drizzle-kit': '2' } }
    const two = { tools: { 'drizzle-kit': '2', squizzle: '1' }, files: [{ size: 1, path: 'a' }], version: '1.0.0' }
    expect(canonicalJson(one)).toBe(canonicalJson(two))
  })

  it('drops undefined properties and keeps null ones', () => {
    expect(canonicalJson({ a: undefined, b: null, c: { d: undefined } })).toBe('{"b":null,"c":{}}')
  })

  it('keeps array order and writes no whitespace', () => {
    expect(canonicalJson([3, 1, 'two', true, { k: 'v w' }])).toBe('[3,1,"two",true,{"k":"v w"}]')
  })

  it('writes scalars as JSON does', () => {
    expect(canonicalJson('x')).toBe('"x"')
    expect(canonicalJson(1.5)).toBe('1.5')
    expect(canonicalJson(null)).toBe('null')
  })
})
