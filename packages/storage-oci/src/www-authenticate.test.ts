import { describe, expect, it } from 'vitest'
import { parseChallenges } from './www-authenticate.js'

describe('parseChallenges', () => {
  it('reads a bearer challenge with several space-separated scopes in one quoted value', () => {
    const header =
      'Bearer realm="http://127.0.0.1:9/token",service="reg",scope="repository:mig/other:pull,push repository:mig/app:pull"'
    expect(parseChallenges(header)).toEqual([
      {
        scheme: 'bearer',
        params: {
          realm: 'http://127.0.0.1:9/token',
          service: 'reg',
          scope: 'repository:mig/other:pull,push repository:mig/app:pull',
        },
      },
    ])
  })

  it('reads a basic challenge and keeps escaped quotes', () => {
    expect(parseChallenges('Basic realm="Registry \\"x\\""')).toEqual([
      { scheme: 'basic', params: { realm: 'Registry "x"' } },
    ])
  })

  it('splits several challenges and unquoted values, with error parameters', () => {
    expect(parseChallenges('Basic realm=reg, Bearer realm="https://a/t", error="insufficient_scope"')).toEqual([
      { scheme: 'basic', params: { realm: 'reg' } },
      { scheme: 'bearer', params: { realm: 'https://a/t', error: 'insufficient_scope' } },
    ])
  })

  it('returns nothing for an empty header', () => {
    expect(parseChallenges('')).toEqual([])
  })
})
