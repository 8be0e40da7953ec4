import { describe, expect, it } from 'vitest'
import { isSquizzleError } from '@squizzle/core'
import { parseRegistryUrl } from './registry-url.js'

const codeOf = (fn: () => unknown) => {
  try {
    fn()
    return 'no error'
  } catch (err) {
    return isSquizzleError(err) ? err.code : String(err)
  }
}

describe('parseRegistryUrl', () => {
  it('uses HTTPS unless plain HTTP is asked for in the URL or by option', () => {
    expect(parseRegistryUrl('oci://ghcr.io/acme/db-migrations')).toEqual({
      registry: 'ghcr.io',
      repository: 'acme/db-migrations',
      baseUrl: 'https://ghcr.io',
      plainHttp: false,
    })
    expect(parseRegistryUrl('oci://127.0.0.1:5000/mig/app?plain-http=true').baseUrl).toBe('http://127.0.0.1:5000')
    expect(parseRegistryUrl('oci://127.0.0.1:5000/mig/app', { plainHttp: true }).baseUrl).toBe('http://127.0.0.1:5000')
    expect(parseRegistryUrl('oci://127.0.0.1:5000/mig/app?plain-http=false').baseUrl).toBe('https://127.0.0.1:5000')
  })

  it('talks to registry-1.docker.io for docker.io but keeps the name for credentials', () => {
    expect(parseRegistryUrl('oci://docker.io/acme/db')).toMatchObject({
      registry: 'docker.io',
      baseUrl: 'https://registry-1.docker.io',
    })
  })

  it('refuses credentials in the URL, bad repository names, unknown options', () => {
    expect(codeOf(() => parseRegistryUrl('oci://user:pw@ghcr.io/acme/db'))).toBe('STORAGE_URL_INVALID')
    expect(codeOf(() => parseRegistryUrl('oci://ghcr.io/Acme/DB'))).toBe('STORAGE_URL_INVALID')
    expect(codeOf(() => parseRegistryUrl('oci://ghcr.io/'))).toBe('STORAGE_URL_INVALID')
    expect(codeOf(() => parseRegistryUrl('oci://ghcr.io/acme/db?insecure=1'))).toBe('STORAGE_URL_INVALID')
    expect(codeOf(() => parseRegistryUrl('oci://ghcr.io/acme/db?plain-http=yes'))).toBe('STORAGE_URL_INVALID')
    expect(codeOf(() => parseRegistryUrl('https://ghcr.io/acme/db'))).toBe('STORAGE_URL_INVALID')
    for (const port of ['0', '65536', '99999']) {
      expect(
        codeOf(() => parseRegistryUrl(`oci://127.0.0.1:${port}/x`)),
        port,
      ).toBe('STORAGE_URL_INVALID')
    }
    expect(parseRegistryUrl('oci://[::1]:65535/x').baseUrl).toBe('https://[::1]:65535')
  })

  it('never puts a password from the URL in the error', () => {
    let caught: unknown
    try {
      parseRegistryUrl('oci://ci:hunter22@ghcr.io/acme/db')
    } catch (err) {
      caught = err
    }
    expect(caught).toBeDefined()
    expect(JSON.stringify(caught) + String(caught)).not.toContain('hunter22')
  })
})
