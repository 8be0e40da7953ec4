import type { ArtifactPolicy } from '@squizzle/core'
import type { CommandContext } from '../context.js'

/**
 * The environment's trust policy (`trust` in the config, key files relative to the
 * config's folder), or undefined when the environment sets none.
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
  const { signaturePolicyFromSettings } = await import('@squizzle/security')
  return signaturePolicyFromSettings(trust, ctx.root)
}
