import { describe, expect, it } from 'vitest'
import { closestMatch, editDistance } from './closest-match.js'

describe('closestMatch', () => {
  it('finds a mistyped command, flag or key', () => {
    expect(closestMatch('aply', ['apply', 'status', 'list'])).toBe('apply')
    expect(closestMatch('dryrun', ['dry-run', 'allow-out-of-order'])).toBe('dry-run')
    expect(closestMatch('lockTimeOutMs', ['lockTimeoutMs', 'storage', 'ledger'])).toBe('lockTimeoutMs')
    expect(closestMatch('stauts', ['status', 'apply'])).toBe('status')
  })

  it('suggests nothing for a word that is not close to any candidate', () => {
    expect(closestMatch('xyz', ['apply', 'status'])).toBeUndefined()
    expect(closestMatch('a', ['list'])).toBeUndefined()
  })

  it('counts a swap of neighbours as one edit', () => {
    expect(editDistance('dryrnu', 'dryrun')).toBe(1)
    expect(editDistance('kitten', 'sitting')).toBe(3)
    expect(editDistance('', 'abc')).toBe(3)
  })
})
