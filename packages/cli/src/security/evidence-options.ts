import type { Signer } from '@squizzle/core'
import type { ReleaseEvidenceOptions } from '@squizzle/security'
import type { CommandContext } from '../context.js'

/**
 * The release evidence of this project: its lockfile and name (the config's folder),
 * the CI variables of this run, and the signer when signing.
 *
 * @example
 * ```ts
 * await attachReleaseEvidence({ storage, version, ...evidenceOptions(ctx, await signerFor(ctx)) })
 * ```
 */
export function evidenceOptions(ctx: CommandContext, signer: Signer | null): ReleaseEvidenceOptions {
  return { signer, env: ctx.io.env, projectDir: ctx.root, limits: ctx.settings.limits }
}
