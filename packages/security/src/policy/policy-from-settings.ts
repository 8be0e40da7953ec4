import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { SquizzleError } from '@squizzle/core'
import { type TrustSettings } from '@squizzle/core/config'
import { keyIdOf, parsePublicKey } from '../keys/signing-key.js'
import { anchored } from '../verify/identity-match.js'
import { SignaturePolicy } from './signature-policy.js'

/**
 * The {@link SignaturePolicy} a `trust` section of the configuration describes: key
 * files read (relative to `baseDir`) and indexed by key id, identity patterns checked
 * up front. Throws `CONFIG_INVALID` naming the key of the section that is wrong.
 *
 * @example
 * ```ts
 * const policy = await signaturePolicyFromSettings({ signatures: 'required', publicKeys: ['keys/release.pub'] }, root)
 * ```
 */
export async function signaturePolicyFromSettings(trust: TrustSettings, baseDir: string): Promise<SignaturePolicy> {
  const publicKeys: Record<string, string> = {}
  for (const path of trust.publicKeys ?? []) {
    const file = resolve(baseDir, path)
    const pem = await readFile(file, 'utf8').catch((cause: unknown) => {
      throw new SquizzleError('CONFIG_INVALID', `trusted public key ${file} cannot be read`, {
        hint: 'Fix trust.publicKeys: paths are relative to the config file.',
        cause,
      })
    })
    publicKeys[keyIdOf(parsePublicKey(pem, file))] = pem
  }
  const identities = (trust.identities ?? []).map((i) => {
    anchored(i.subject)
    return { issuer: i.issuer, subjectPattern: i.subject }
  })
  const trustedRoot = trust.trustedRoot ? { trustedRoot: resolve(baseDir, trust.trustedRoot) } : {}
  return new SignaturePolicy({ signatures: trust.signatures, publicKeys, identities, ...trustedRoot })
}
