import { describe, expect, it } from 'vitest'
import { codeOf } from '../test-support/code-of.js'
import { checkTargets, connectionPasswords, resolveConnection } from './fleet-target.js'
import { targetError } from './target-error.js'
import { SquizzleError } from '../errors/squizzle-error.js'

describe('fleet targets', () => {
  it('reads an env: reference when connecting, and names the variable, never a value, when it is unset', () => {
    const target = { name: 'acme', url: 'env:ACME_URL' }
    expect(resolveConnection(target, { ACME_URL: 'postgres://u:pw@h/db' }).connection).toBe('postgres://u:pw@h/db')
    expect(resolveConnection({ name: 'x', url: 'postgres://h/db' }, {}).connection).toBe('postgres://h/db')
    expect(codeOf(() => resolveConnection(target, {}))).toBe('FLEET_TARGET_INVALID')
  })

  it('refuses nameless, url-less and duplicate targets', () => {
    expect(codeOf(() => checkTargets([{ name: '', url: 'env:A' }]))).toBe('FLEET_TARGET_INVALID')
    expect(codeOf(() => checkTargets([{ name: 'a', url: '' }]))).toBe('FLEET_TARGET_INVALID')
    expect(
      codeOf(() =>
        checkTargets([
          { name: 'a', url: 'env:A' },
          { name: 'a', url: 'env:B' },
        ]),
      ),
    ).toBe('FLEET_TARGET_INVALID')
    expect(
      codeOf(() =>
        checkTargets([
          { name: 'a', url: 'env:A' },
          { name: 'b', url: 'env:B' },
        ]),
      ),
    ).toBe('no error')
  })

  it('keeps the password of the connection out of a target error, in any form it appears', () => {
    const connection = 'postgres://app:s%40cret-pw@db/prod'
    expect(connectionPasswords(connection)).toContain('s@cret-pw')
    const err = new SquizzleError('CONNECTION_FAILED', 'auth failed for s@cret-pw and s%40cret-pw', {
      hint: 'check s@cret-pw',
    })
    const shown = targetError(err, { name: 'acme', url: 'env:X' }, connection)
    expect(JSON.stringify(shown)).not.toContain('cret-pw')
    expect(shown).toMatchObject({ code: 'CONNECTION_FAILED', category: 'failure' })
    const keyword = targetError(
      new Error('password=hunter22 rejected'),
      { name: 'k', url: 'env:Y' },
      'host=h password=hunter22',
    )
    expect(keyword.message).not.toContain('hunter22')
  })
})
