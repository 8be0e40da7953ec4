import { describe, expect, it } from 'vitest'
import { codeOf } from '../test-support/code-of.js'
import { validateConfig } from './config.js'

const stages = [
  { name: 'canary', select: { labels: { tier: 'canary' } } },
  { name: 'rest', parallel: 8, onError: 'continue', maxFailures: '5%' },
]

describe('the fleet block of the config', () => {
  it.each([
    ['a list', { targets: [{ name: 'acme', url: 'env:ACME_URL', labels: { tier: 'canary' } }], stages }],
    ['a list of tenant schemas', { targets: [{ name: 'acme', url: 'env:DB_URL', schema: 'tenant_42' }] }],
    ['a file', { targets: { file: 'tenants.yaml' } }],
    ['a command', { targets: { command: ['./list-tenants', '--json'] } }],
    [
      'a control-database query',
      { targets: { query: 'select name, url from tenants', url: 'env:CONTROL_DATABASE_URL' } },
    ],
  ])('accepts targets from %s', (_what, fleet) => {
    expect(codeOf(() => validateConfig({ fleet, environments: { prod: { fleet } } }, 'squizzle.config.yaml'))).toBe(
      'no error',
    )
  })

  it.each([
    ['no targets', {}],
    ['a target without url', { targets: [{ name: 'acme' }] }],
    ['a shell string as command', { targets: { command: './list-tenants | jq' } }],
    ['a query without its database', { targets: { query: 'select name, url from tenants' } }],
    ['parallel 0', { targets: { file: 't.yaml' }, stages: [{ name: 's', parallel: 0 }] }],
    ['an unknown onError', { targets: { file: 't.yaml' }, stages: [{ name: 's', onError: 'ignore' }] }],
    ['maxFailures of 120%', { targets: { file: 't.yaml' }, stages: [{ name: 's', maxFailures: '120%' }] }],
    ['a quoted schema', { targets: [{ name: 'a', url: 'env:A', schema: 'a"; drop' }] }],
    ['a 70-character schema', { targets: [{ name: 'a', url: 'env:A', schema: 'a'.repeat(70) }] }],
    ['a pg_ schema', { targets: [{ name: 'a', url: 'env:A', schema: 'pg_temp' }] }],
  ])('refuses %s (CONFIG_INVALID)', (_what, fleet) => {
    expect(codeOf(() => validateConfig({ fleet }, 'squizzle.config.yaml'))).toBe('CONFIG_INVALID')
  })
})

describe('database.schema', () => {
  it('accepts a tenant schema and refuses a name that is no lowercase identifier', () => {
    const config = (schema: string) => ({ database: { schema } })
    expect(codeOf(() => validateConfig(config('tenant_42'), 'squizzle.config.yaml'))).toBe('no error')
    expect(codeOf(() => validateConfig(config('Tenant;42'), 'squizzle.config.yaml'))).toBe('CONFIG_INVALID')
  })
})
