import { bundleToJSON } from '@sigstore/bundle'
import {
  DEFAULT_FULCIO_URL,
  DEFAULT_REKOR_URL,
  DSSEBundleBuilder,
  FulcioSigner,
  RekorWitness,
  TSAWitness,
  type IdentityProvider,
  type Witness,
} from '@sigstore/sign'
import { isSquizzleError, SquizzleError, type SignatureBundle, type Signer } from '@squizzle/core'

export interface KeylessSignerOptions {
  identityProvider: IdentityProvider
  /** Default: the public-good Fulcio. */
  fulcioUrl?: string
  /** Default: the public-good Rekor. */
  rekorUrl?: string
  /** A timestamp authority; a signed timestamp is added only when set. */
  tsaUrl?: string
  /** Per-request timeout in ms (default 10 s). */
  timeoutMs?: number
}

/**
 * Keyless signing: an ephemeral key certified by Fulcio for the OIDC identity,
 * the signature recorded in Rekor and, when configured, timestamped by a TSA.
 * Rekor entries use the `intoto` kind, which stores the whole envelope and is
 * accepted by every Rekor v1 and by sigstore-js verification.
 *
 * @example
 * ```ts
 * const signer = new KeylessSigner({ identityProvider: identityTokenProvider(process.env) })
 * const bundle = await signer.sign(payload, inTotoPayloadType)
 * ```
 */
export class KeylessSigner implements Signer {
  constructor(private readonly options: KeylessSignerOptions) {}

  async sign(payload: Uint8Array, type: string): Promise<SignatureBundle> {
    const { options } = this
    const timeout = options.timeoutMs ?? 10_000
    const signer = new FulcioSigner({
      identityProvider: options.identityProvider,
      fulcioBaseURL: options.fulcioUrl ?? DEFAULT_FULCIO_URL,
      timeout,
      retry: 1,
    })
    // Verification requires a Rekor entry (it proves when the short-lived certificate was used), so it is always made.
    const witnesses: Witness[] = [
      new RekorWitness({
        rekorBaseURL: options.rekorUrl ?? DEFAULT_REKOR_URL,
        entryType: 'intoto',
        fetchOnConflict: true,
        timeout,
        retry: 1,
      }),
    ]
    if (options.tsaUrl) witnesses.push(new TSAWitness({ tsaBaseURL: options.tsaUrl, timeout, retry: 1 }))
    try {
      const bundle = await new DSSEBundleBuilder({ signer, witnesses }).create({ data: Buffer.from(payload), type })
      return bundleToJSON(bundle) as SignatureBundle
    } catch (cause) {
      if (isSquizzleError(cause)) throw cause
      throw new SquizzleError('SIGNING_FAILED', `keyless signing failed: ${describe(cause)}`, {
        hint: 'Check the identity token and that Fulcio, Rekor (and the TSA) are reachable at the configured URLs.',
        cause,
      })
    }
  }
}

/** The library's error code and message, never the token it may have been sent. */
function describe(cause: unknown): string {
  const e = cause as { code?: unknown; message?: unknown }
  const code = typeof e.code === 'string' ? `${e.code}: ` : ''
  return `${code}${typeof e.message === 'string' ? e.message : String(cause)}`
}
