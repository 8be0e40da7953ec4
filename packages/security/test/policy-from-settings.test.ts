import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { generateSigningKey } from '../src/keys/signing-key.js'
import { signaturePolicyFromSettings } from '../src/policy/policy-from-settings.js'
import { SignaturePolicy } from '../src/policy/signature-policy.js'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'squizzle-trust-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

async function codeOf(p: Promise<unknown> | (() => unknown)): Promise<unknown> {
  try {
    await (typeof p === 'function' ? p() : p)
  } catch (err) {
    return (err as { code?: unknown }).code
  }
  return 'no error'
}

describe('signaturePolicyFromSettings', () => {
  it('reads trusted keys relative to the base folder and indexes them by key id', async () => {
    const pair = generateSigningKey('trust settings passphrase')
    await writeFile(join(dir, 'release.pub'), pair.publicKeyPem)
    const policy = await signaturePolicyFromSettings({ signatures: 'required', publicKeys: ['release.pub'] }, dir)
    expect(policy.trust.publicKeys).toEqual({ [pair.keyId]: pair.publicKeyPem })
  })

  it('refuses an unreadable key file, an identity pattern that is not a regular expression, and trusting nothing', async () => {
    expect(
      await codeOf(signaturePolicyFromSettings({ signatures: 'optional', publicKeys: ['missing.pub'] }, dir)),
    ).toBe('CONFIG_INVALID')
    const identities = [{ issuer: 'https://token.actions.githubusercontent.com', subject: '(' }]
    expect(await codeOf(signaturePolicyFromSettings({ signatures: 'optional', identities }, dir))).toBe(
      'CONFIG_INVALID',
    )
    expect(await codeOf(signaturePolicyFromSettings({ signatures: 'required' }, dir))).toBe('CONFIG_INVALID')
    expect(await codeOf(() => new SignaturePolicy({ signatures: 'required', publicKeys: {}, identities: [] }))).toBe(
      'CONFIG_INVALID',
    )
    expect(await codeOf(() => new SignaturePolicy({ signatures: 'optional' }))).toBe('no error')
  })
})
