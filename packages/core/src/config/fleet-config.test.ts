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
  ])('refuses %s (CONFIG_INVALID)', (_what, fleet) => {
    expect(codeOf(() => validateConfig({ fleet }, 'squizzle.config.yaml'))).toBe('CONFIG_INVALID')
  })
})
