import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { SquizzleError, type Signer } from '@squizzle/core'
import type { CommandContext } from '../context.js'

/** The environment variable naming the private key file, overriding signing.key. */
export const signingKeyEnvVar = 'SQUIZZLE_SIGNING_KEY'

/**
 * The signer the config asks for: its `signer` plugin, else a local key (`signing.key` or
 * SQUIZZLE_SIGNING_KEY, passphrase in SQUIZZLE_SIGNING_KEY_PASSPHRASE) or keyless.
 * Every secret it touches is registered with the reporter's scrubber first.
 *
 * @example
 * ```ts
 * const signer = await signerFor(ctx)
 * ```
 */
export async function signerFor(ctx: CommandContext): Promise<Signer> {
  if (ctx.settings.signer) return ctx.plugins.signer(ctx.settings.signer)
  // Loaded only when signing: Sigstore is heavy and most runs never sign.
  const { decryptSigningKey, identityTokenEnvVar, identityTokenProvider, KeylessSigner, KeySigner, passphraseEnvVar } =
    await import('@squizzle/security')
  const signing = ctx.settings.signing ?? {}
  const env = ctx.io.env
  for (const name of [passphraseEnvVar, identityTokenEnvVar, 'ACTIONS_ID_TOKEN_REQUEST_TOKEN']) {
    const value = env[name]
    if (value) ctx.addSecret(value)
  }
  const keyPath = env[signingKeyEnvVar] ?? signing.key
  const method = signing.method ?? (keyPath ? 'key' : 'keyless')
  if (method === 'keyless') {
    return new KeylessSigner({
      identityProvider: identityTokenProvider(env),
      ...(signing.fulcioUrl ? { fulcioUrl: signing.fulcioUrl } : {}),
      ...(signing.rekorUrl ? { rekorUrl: signing.rekorUrl } : {}),
      ...(signing.tsaUrl ? { tsaUrl: signing.tsaUrl } : {}),
    })
  }
  if (!keyPath) {
    throw new SquizzleError('USAGE', 'signing.method is key, but no key file is configured', {
      hint: `Set signing.key in the config or ${signingKeyEnvVar}, pointing at the .key file from \`squizzle keygen\`.`,
    })
  }
  const file = resolve(ctx.root, keyPath)
  const pem = await readFile(file, 'utf8').catch((cause: unknown) => {
    throw new SquizzleError('USAGE', `signing key ${file} cannot be read`, {
      hint: `Check signing.key / ${signingKeyEnvVar}; create a key with \`squizzle keygen\`.`,
      cause,
    })
  })
  return new KeySigner(decryptSigningKey(pem, env[passphraseEnvVar] ?? '', file))
}
