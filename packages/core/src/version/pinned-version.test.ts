import { describe, expect, it } from 'vitest'
import { codeOf } from '../test-support/code-of.js'
import { assertPinned, parsePinnedVersion } from './pinned-version.js'

const digest = `sha256:${'ab'.repeat(32)}`

describe('parsePinnedVersion', () => {
  it('reads a bare version and a version pinned to a digest', () => {
    expect(parsePinnedVersion('1.7.0')).toEqual({ version: '1.7.0', digest: null })
    expect(parsePinnedVersion(`2.0.0-rc.1@${digest}`)).toEqual({ version: '2.0.0-rc.1', digest })
  })

  it.each([
    '1.7.0@',
    '1.7.0@sha256:abc',
    `1.7.0@md5:${'a'.repeat(32)}`,
    `1.7.0@${digest.toUpperCase()}`,
    `v1.7.0@${digest}`,
    `1.7.0@${digest}@${digest}`,
  ])('refuses %s with VERSION_INVALID', (reference) => {
    expect(codeOf(() => parsePinnedVersion(reference))).toBe('VERSION_INVALID')
  })
})

describe('assertPinned', () => {
  it('passes an unpinned version and a matching digest, refuses another digest as an integrity error', () => {
    expect(codeOf(() => assertPinned({ version: '1.7.0', digest: null }, digest, 'x'))).toBe('no error')
    expect(codeOf(() => assertPinned({ version: '1.7.0', digest }, digest, 'x'))).toBe('no error')
    expect(codeOf(() => assertPinned({ version: '1.7.0', digest }, `sha256:${'0'.repeat(64)}`, 'x'))).toBe(
      'PINNED_DIGEST_MISMATCH',
    )
  })
})
