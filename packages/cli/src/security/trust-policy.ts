import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { SquizzleError, type ArtifactPolicy, type TrustPolicy } from '@squizzle/core'
import type { CommandContext } from '../context.js'

/**
 * The environment's trust policy (`trust` in the config), with key files read
 * and patterns checked up front, or undefined when the environment sets none.
 *
 * @example
 * ```ts
 * const policy = await trustPolicyFor(ctx) // passed to the Migrator / verifyVersion
 * ```
 */
export async function trustPolicyFor(ctx: CommandContext): Promise<ArtifactPolicy | undefined> {
  const trust = ctx.settings.trust
  if (!trust) return undefined
  // Loaded only here: Sigstore is heavy, and most environments have no trust policy.
  const { anchored, keyIdOf, parsePublicKey, SignaturePolicy } = await import('@squizzle/security')
  const publicKeys: Record<string, string> = {}
  for (const path of trust.publicKeys ?? []) {
    const file = resolve(ctx.root, path)
    const pem = await readFile(file, 'utf8').catch((cause: unknown) => {
      throw new SquizzleError('CONFIG_INVALID', `trusted public key ${file} cannot be read`, { hint: 'Fix trust.publicKeys: paths are relative to the config file.', cause })
    })
    publicKeys[keyIdOf(parsePublicKey(pem, file))] = pem
  }
  const identities = (trust.identities ?? []).map((i) => {
    anchored(i.subject)
    return { issuer: i.issuer, subjectPattern: i.subject }
  })
  const policy: TrustPolicy = {
    signatures: trust.signatures,
    publicKeys,
    identities,
    ...(trust.trustedRoot ? { trustedRoot: resolve(ctx.root, trust.trustedRoot) } : {}),
  }
  if (policy.signatures === 'required' && identities.length === 0 && Object.keys(publicKeys).length === 0) {
    throw new SquizzleError('CONFIG_INVALID', 'trust.signatures is required, but no trusted keys or identities are configured: nothing could ever verify', {
      hint: 'Add trust.publicKeys (the .pub from `squizzle keygen`) or trust.identities (OIDC issuer + subject) for this environment.',
    })
  }
  return new SignaturePolicy(policy)
}
