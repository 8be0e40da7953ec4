import { SquizzleError } from '@squizzle/core'
import { describe, expect, it } from 'vitest'
import { cliHint, remedyCommand } from './remedy-command.js'

describe('remedyCommand', () => {
  it.each([
    [{ operation: 'apply', options: { allowUnchained: true } }, 'squizzle apply --allow-unchained'],
    [{ operation: 'apply', options: { allowOutOfOrder: true } }, 'squizzle apply --allow-out-of-order'],
    [{ operation: 'repair', args: ['1.3.0'], options: { mode: 'restart' } }, 'squizzle repair 1.3.0 --restart'],
    [{ operation: 'repair', args: ['1.3.0'], options: { mode: 'resume' } }, 'squizzle repair 1.3.0'],
    [{ operation: 'rollback', options: { to: '1.0.0', force: true } }, 'squizzle rollback --to 1.0.0 --force'],
    [{ operation: 'build', args: ['1.1.0'], options: { irreversible: true } }, 'squizzle build 1.1.0 --irreversible'],
    [{ operation: 'build', options: { snapshot: false } }, 'squizzle build --no-snapshot'],
    [{ operation: 'build', options: { devUrl: '<url>' } }, 'squizzle build --dev-url <url>'],
    [
      { operation: 'ledger.rebuild', options: { from: '<storage-url>' } },
      'squizzle ledger rebuild --from <storage-url>',
    ],
    [{ operation: 'sign' }, 'squizzle sign <version>'],
  ] as const)('renders %j as %s', (remedy, command) => {
    expect(remedyCommand(remedy)).toBe(command)
  })
})

describe('cliHint', () => {
  it("adds the commands of the remedies to the library's neutral hint", () => {
    const err = new SquizzleError('HISTORY_NOT_EMPTY', 'x', {
      hint: 'Force the baseline (audited).',
      remedies: [{ operation: 'baseline', args: ['1.0.0'], options: { force: true } }],
    })
    expect(cliHint(err)).toBe('Force the baseline (audited). Next: `squizzle baseline 1.0.0 --force`.')
    expect(cliHint(new SquizzleError('USAGE', 'x', { hint: 'as it is' }))).toBe('as it is')
  })
})
