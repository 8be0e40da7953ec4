import { describe, expect, it } from 'vitest'
import { errorCategory, errorCodes, type ErrorCategory, type SquizzleErrorCode } from './error-codes.js'
import { codeOf } from '../test-support/code-of.js'
import { definePluginErrors } from './plugin-errors.js'
import { hasErrorCode, isSquizzleError, SquizzleError } from './squizzle-error.js'

describe('SquizzleError', () => {
  it('carries code, hint, details and cause', () => {
    const cause = new Error('socket closed')
    const err = new SquizzleError('LOCK_TIMEOUT', 'lock held', { hint: 'wait', details: { pid: 42 }, cause })
    expect(err).toBeInstanceOf(Error)
    expect(err.name).toBe('SquizzleError')
    expect(err.code).toBe('LOCK_TIMEOUT')
    expect(err.hint).toBe('wait')
    expect(err.details).toEqual({ pid: 42 })
    expect(err.cause).toBe(cause)
    expect(err.category).toBe('lock')
  })

  it('has no cause property when none is given', () => {
    expect('cause' in new SquizzleError('USAGE', 'x')).toBe(false)
  })

  it('serialises to code, category, message, hint, remedies and details only (no stack, no cause)', () => {
    const err = new SquizzleError('USAGE', 'bad flag', {
      hint: 'see the help',
      details: { flag: 'x' },
      cause: new Error('inner'),
    })
    const json = { code: 'USAGE', category: 'usage', message: 'bad flag', hint: 'see the help', details: { flag: 'x' } }
    expect(JSON.parse(JSON.stringify(err))).toEqual(json)
    const remedies = [{ operation: 'repair', args: ['1.0.0'], options: { mode: 'restart' } }] as const
    const withRemedy = new SquizzleError('RESUME_MISMATCH', 'changed', { hint: 'repair it', remedies })
    expect(JSON.parse(JSON.stringify(withRemedy))).toMatchObject({ category: 'integrity', remedies })
    expect(new SquizzleError('USAGE', 'x').remedies).toEqual([])
  })
})

describe('definePluginErrors', () => {
  const s3 = definePluginErrors('@acme/squizzle-s3', { BUCKET_MISSING: 'usage', CHECKSUM_BAD: 'integrity' })

  it('makes SquizzleErrors with namespaced codes and the declared categories', () => {
    const err = s3.create('CHECKSUM_BAD', 'the object changed', { hint: 'upload it again', details: { key: 'k' } })
    expect(isSquizzleError(err)).toBe(true)
    expect(err.code).toBe('@acme/squizzle-s3:CHECKSUM_BAD')
    expect(err.category).toBe('integrity')
    expect(hasErrorCode(err, s3.codes.CHECKSUM_BAD)).toBe(true)
    expect(JSON.parse(JSON.stringify(err))).toMatchObject({
      code: '@acme/squizzle-s3:CHECKSUM_BAD',
      category: 'integrity',
    })
    expect(s3.create('BUCKET_MISSING', 'no bucket').category).toBe('usage')
  })

  it('refuses malformed namespaces and names, and names it did not declare', () => {
    expect(codeOf(() => definePluginErrors('Acme S3', { X: 'failure' }))).toBe('USAGE')
    expect(codeOf(() => definePluginErrors('acme', { 'not-upper': 'failure' }))).toBe('USAGE')
    expect(codeOf(() => (s3.create as (n: string, m: string) => unknown)('OTHER', 'x'))).toBe('USAGE')
  })

  it('never lets a plugin code take a core category by its name', () => {
    const plugin = definePluginErrors('acme', { DIGEST_MISMATCH: 'failure' })
    expect(plugin.create('DIGEST_MISMATCH', 'x')).toMatchObject({ code: 'acme:DIGEST_MISMATCH', category: 'failure' })
  })
})

describe('isSquizzleError', () => {
  it('recognises a SquizzleError', () => {
    expect(isSquizzleError(new SquizzleError('USAGE', 'x'))).toBe(true)
  })

  it('recognises an error from another copy of core by its Symbol.for brand', () => {
    // What a plugin bundling its own copy of @squizzle/core would throw: a different
    // class, but the same registered symbol.
    class ForeignError extends Error {
      readonly code = 'DIGEST_MISMATCH'
      constructor(message: string) {
        super(message)
        Object.defineProperty(this, Symbol.for('squizzle.error'), { value: true })
      }
    }
    const foreign = new ForeignError('digest differs')
    expect(foreign instanceof SquizzleError).toBe(false)
    expect(isSquizzleError(foreign)).toBe(true)
    expect(hasErrorCode(foreign, 'DIGEST_MISMATCH')).toBe(true)
    expect(isSquizzleError({ [Symbol.for('squizzle.error')]: true, code: 'USAGE', message: '' })).toBe(true)
  })

  it.each([
    ['a plain Error with a code', Object.assign(new Error('x'), { code: 'USAGE' })],
    ['an object branded with an unregistered symbol', { [Symbol('squizzle.error')]: true, code: 'USAGE' }],
    ['an object whose brand is not true', { [Symbol.for('squizzle.error')]: 'yes', code: 'USAGE' }],
    ['null', null],
    ['undefined', undefined],
    ['a string', 'DIGEST_MISMATCH'],
  ])('does not recognise %s', (_name, value) => {
    expect(isSquizzleError(value)).toBe(false)
  })
})

describe('hasErrorCode', () => {
  it('is true only for the given code', () => {
    const err = new SquizzleError('OUT_OF_ORDER', 'x')
    expect(hasErrorCode(err, 'OUT_OF_ORDER')).toBe(true)
    expect(hasErrorCode(err, 'TARGET_NOT_FOUND')).toBe(false)
    expect(hasErrorCode(new Error('x'), 'OUT_OF_ORDER')).toBe(false)
  })
})

describe('errorCategory', () => {
  const expected: Record<ErrorCategory, SquizzleErrorCode[]> = {
    usage: [
      'CONFIG_INVALID',
      'CONFIG_NOT_FOUND',
      'USAGE',
      'VERSION_INVALID',
      'STORAGE_URL_INVALID',
      'STORAGE_NOT_FOUND',
      'PLUGIN_NOT_FOUND',
      'PLUGIN_NO_EXPORT',
      'PLUGIN_INVALID',
      'PLUGIN_KIND_MISMATCH',
      'PLUGIN_API_MISMATCH',
      'PLUGIN_OPTIONS_INVALID',
      'PLUGIN_SCHEME_CONFLICT',
    ],
    integrity: [
      'MANIFEST_INVALID',
      'DIGEST_MISMATCH',
      'CHECKSUM_MISMATCH',
      'BUNDLE_UNSAFE',
      'BUNDLE_LIMIT_EXCEEDED',
      'BUNDLE_CORRUPT',
      'TAMPERED',
      'IMMUTABLE_VERSION',
      'RESUME_MISMATCH',
      'SNAPSHOT_INVALID',
      'LEDGER_INVALID',
      'LEDGER_MISMATCH',
      'UNCHAINED_VERSION',
      'STORAGE_UNSAFE',
      'BASELINE_MISMATCH',
      'PINNED_DIGEST_MISMATCH',
      'ARCHIVE_UNSAFE',
    ],
    signature: ['SIGNATURE_MISSING', 'SIGNATURE_INVALID', 'POLICY_VIOLATION'],
    lock: ['LOCK_TIMEOUT', 'LOCK_LOST', 'VERSION_CLAIMED'],
    cancelled: ['CANCELLED'],
    failure: [
      'VERSION_NOT_GREATER',
      'VERSION_EXISTS',
      'RELEASED_FILE_MODIFIED',
      'NOTHING_TO_BUILD',
      'MANIFEST_TOO_LARGE',
      'SQL_PARSE_ERROR',
      'SQL_NEEDS_NO_TRANSACTION',
      'SQL_UNSUPPORTED',
      'VERSION_NOT_FOUND',
      'STORAGE_ERROR',
      'STORAGE_UNSUPPORTED',
      'REGISTRY_UNAUTHORIZED',
      'REGISTRY_UNAVAILABLE',
      'OUT_OF_ORDER',
      'TARGET_NOT_FOUND',
      'MIGRATION_FAILED',
      'REGISTRY_TIMEOUT',
      'LOCK_UNSAFE',
      'DATABASE_ERROR',
      'CONNECTION_FAILED',
      'CONNECTION_LOST',
      'INDEX_INVALID',
      'PORT_IN_USE',
      'ROLLBACK_MISSING',
      'ROLLBACK_LATE',
      'ROLLBACK_ORPHANED',
      'ROLLBACK_INCOMPLETE',
      'LINT_FAILED',
      'LINT_UNAVAILABLE',
      'DRIZZLE_KIT_MISSING',
      'DRIZZLE_KIT_UNSUPPORTED',
      'DRIZZLE_KIT_FAILED',
      'ROLLBACK_FAILED',
      'ROLLBACK_IRREVERSIBLE',
      'ROLLBACK_UNAVAILABLE',
      'NOTHING_TO_ROLL_BACK',
      'HISTORY_NOT_EMPTY',
      'NOTHING_TO_REPAIR',
      'REPLAY_FAILED',
      'ROLLBACK_CHECK_FAILED',
      'SNAPSHOT_UNSUPPORTED',
      'SNAPSHOT_MISSING',
      'SIGNING_FAILED',
      'PLUGIN_FAILED',
      'LEDGER_MISSING',
      'LEDGER_CONFLICT',
      'LEDGER_INCOMPLETE',
      'RELEASED_FILE_MISSING',
    ],
  }

  it.each(Object.entries(expected))('maps the %s codes', (category, codes) => {
    for (const code of codes) expect([code, errorCategory(code)]).toEqual([code, category])
  })

  it('lists every code exactly once, each with a category', () => {
    const all = Object.values(expected).flat()
    expect(new Set(errorCodes).size).toBe(errorCodes.length)
    expect([...errorCodes].sort()).toEqual([...all].sort())
  })
})
