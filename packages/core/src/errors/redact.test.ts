import { describe, expect, it } from 'vitest'
import { redactSecrets, redactUrl } from './redact.js'

describe('redactUrl', () => {
  it('hides the password of a connection URL', () => {
    expect(redactUrl('postgres://app:s3cret@db:5432/prod')).toBe('postgres://app:***@db:5432/prod')
    expect(redactUrl('oci://robot:tok3n@ghcr.io/acme/db')).toBe('oci://robot:***@ghcr.io/acme/db')
  })

  it('hides all of a password that contains a raw @', () => {
    const out = redactUrl('postgres://app:p@ss@db:5432/prod')
    expect(out).toBe('postgres://app:***@db:5432/prod')
    expect(out).not.toContain('ss@db')
  })

  it('hides all of a password that contains raw : / ? # % characters', () => {
    for (const password of ['p@ss:w/rd%25&x', 'ab#cd?ef', '100%sure']) {
      const out = redactUrl(`error: postgres://app:${password}@db:5432/prod failed`)
      expect(out).toBe('error: postgres://app:***@db:5432/prod failed')
    }
    expect(redactUrl('at postgres://user@server:pw-xyz@db/prod')).toBe('at postgres://user@server:***@db/prod')
  })

  it('hides password settings in a query string or a keyword/value string', () => {
    expect(redactUrl('postgres://db/prod?sslmode=require&password=s3cret&x=1')).toBe(
      'postgres://db/prod?sslmode=require&password=***&x=1',
    )
    expect(redactUrl("host=db password='s3 cret' sslpassword=k3y")).toBe('host=db password=*** sslpassword=***')
  })

  it('hides a password with URL-encoded characters', () => {
    expect(redactUrl('postgresql://app:p%40ss%2Fw0rd@db/prod?sslmode=require')).toBe(
      'postgresql://app:***@db/prod?sslmode=require',
    )
  })

  it('hides passwords of URLs embedded in a longer text', () => {
    const text = 'connect to postgres://app:s3cret@db/prod failed; fallback (postgres://ro:hunter2@replica/prod) too'
    const out = redactUrl(text)
    expect(out).not.toContain('s3cret')
    expect(out).not.toContain('hunter2')
    expect(out).toBe('connect to postgres://app:***@db/prod failed; fallback (postgres://ro:***@replica/prod) too')
  })

  it.each([
    'postgres://db:5432/prod',
    'postgres://app@db/prod',
    'file:.squizzle/artifacts',
    'user@example.com wrote 10:30',
    'no url here',
  ])('leaves %j unchanged', (text) => {
    expect(redactUrl(text)).toBe(text)
  })
})

describe('redactSecrets', () => {
  it('replaces every occurrence of each secret', () => {
    expect(redactSecrets('token abc123 rejected; abc123 expired', ['abc123'])).toBe('token *** rejected; *** expired')
  })

  it('also redacts URL passwords it was not told about', () => {
    expect(redactSecrets('at postgres://app:s3cret@db/prod: boom', [])).toBe('at postgres://app:***@db/prod: boom')
  })

  it('ignores undefined and very short secrets, which would shred the text', () => {
    expect(redactSecrets('a b ab abc', [undefined, '', 'a', 'ab'])).toBe('a b ab abc')
  })
})
