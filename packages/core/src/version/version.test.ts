import { describe, expect, it } from 'vitest'
import semver from 'semver'
import { compareVersions, isVersion, parseVersion, sortVersions } from './version.js'
import { codeOf } from '../test-support/code-of.js'

describe('parseVersion', () => {
  it.each(['1.4.0', '2.0.0-rc.1', '0.0.1', '10.20.30', '1.0.0-alpha.beta.1', '1.0.0-x-y.7'])(
    'accepts %s and returns it unchanged',
    (v) => {
      expect(parseVersion(v)).toBe(v)
      expect(isVersion(v)).toBe(true)
    },
  )

  it.each([
    'v1',
    'v1.0.0',
    '1.0',
    '1',
    '1.0.0+build',
    '1.0.0-rc.1+build.5',
    '01.0.0',
    '1.0.0-01',
    ' 1.0.0',
    '1.0.0 ',
    '=1.0.0',
    '',
    'latest',
  ])('refuses %j with VERSION_INVALID', (v) => {
    expect(codeOf(() => parseVersion(v))).toBe('VERSION_INVALID')
    expect(isVersion(v)).toBe(false)
  })
})

describe('compareVersions', () => {
  it('orders numerically, not as text (1.2.0 < 1.10.0)', () => {
    expect(compareVersions('1.2.0', '1.10.0')).toBeLessThan(0)
    expect(compareVersions('1.10.0', '1.2.0')).toBeGreaterThan(0)
    expect(compareVersions('1.10.0', '1.10.0')).toBe(0)
  })

  it('puts a prerelease before its release', () => {
    expect(compareVersions('2.0.0-rc.1', '2.0.0')).toBeLessThan(0)
    expect(compareVersions('2.0.0-rc.1', '1.99.99')).toBeGreaterThan(0)
  })

  it('agrees with semver on releases of every size, with and without pre-releases', () => {
    const versions = ['0.0.0', '0.0.10', '0.9.0', '9.99.99', '10.0.0', '10.0.0-rc.1', '999999999999999.0.0']
    for (const a of versions) {
      for (const b of versions) expect(Math.sign(compareVersions(a, b))).toBe(semver.compare(a, b))
    }
  })

  it('compares numeric prerelease identifiers as numbers (rc.2 < rc.10)', () => {
    expect(compareVersions('1.0.0-rc.2', '1.0.0-rc.10')).toBeLessThan(0)
    expect(compareVersions('1.0.0-alpha', '1.0.0-beta')).toBeLessThan(0)
  })
})

describe('sortVersions', () => {
  it('sorts oldest first in semver order', () => {
    const input = ['1.10.0', '2.0.0', '1.2.0', '2.0.0-rc.1', '1.2.0-beta.2', '0.9.0']
    expect(sortVersions(input)).toEqual(['0.9.0', '1.2.0-beta.2', '1.2.0', '1.10.0', '2.0.0-rc.1', '2.0.0'])
  })

  it('returns a new array and leaves its input alone', () => {
    const input = ['1.10.0', '1.2.0']
    const sorted = sortVersions(input)
    expect(sorted).not.toBe(input)
    expect(input).toEqual(['1.10.0', '1.2.0'])
  })

  it('takes any iterable', () => {
    expect(sortVersions(new Set(['3.0.0', '1.0.0']))).toEqual(['1.0.0', '3.0.0'])
  })
})
