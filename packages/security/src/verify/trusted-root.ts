import { readFile } from 'node:fs/promises'
import { TrustedRoot } from '@sigstore/protobuf-specs'
import { getTrustedRoot } from '@sigstore/tuf'
import { SquizzleError } from '@squizzle/core'

const trustedRootMediaType = 'application/vnd.dev.sigstore.trustedroot+json;version=0.1'

/**
 * A trusted root with no authorities at all: key-based signatures need none,
 * their trust comes from the policy's public keys alone.
 *
 * @example
 * ```ts
 * toTrustMaterial(emptyTrustedRoot(), keyFinder)
 * ```
 */
export function emptyTrustedRoot(): TrustedRoot {
  return TrustedRoot.fromJSON({
    mediaType: trustedRootMediaType,
    tlogs: [],
    certificateAuthorities: [],
    ctlogs: [],
    timestampAuthorities: [],
  })
}

/**
 * Reads a Sigstore `trusted_root.json` (private or air-gapped instances).
 *
 * @example
 * ```ts
 * const root = await readTrustedRoot('/etc/squizzle/trusted_root.json')
 * ```
 */
export async function readTrustedRoot(path: string): Promise<TrustedRoot> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (cause) {
    throw new SquizzleError('CONFIG_INVALID', `trusted root ${path} cannot be read`, {
      hint: 'Check trust.trustedRoot: it names a trusted_root.json file, relative to the config file.',
      cause,
    })
  }
  try {
    const value = JSON.parse(text) as { mediaType?: unknown }
    if (typeof value.mediaType !== 'string' || !value.mediaType.startsWith('application/vnd.dev.sigstore.trustedroot'))
      throw new Error('no trusted root media type')
    return TrustedRoot.fromJSON(value)
  } catch (cause) {
    throw new SquizzleError('CONFIG_INVALID', `${path} is not a Sigstore trusted root`, {
      hint: 'Use the trusted_root.json of your Sigstore instance (sigstore-js, cosign and the TUF repository publish it).',
      cause,
    })
  }
}

/**
 * The public-good Sigstore trusted root, refreshed through TUF and cached on disk.
 *
 * @example
 * ```ts
 * const root = await publicGoodTrustedRoot()
 * ```
 */
export async function publicGoodTrustedRoot(): Promise<TrustedRoot> {
  try {
    return await getTrustedRoot()
  } catch (cause) {
    throw new SquizzleError(
      'SIGNATURE_INVALID',
      'the public-good Sigstore trusted root could not be refreshed through TUF, so the keyless signature cannot be checked',
      {
        hint: 'Allow access to tuf-repo-cdn.sigstore.dev, or pin a trusted_root.json with trust.trustedRoot for offline verification.',
        cause,
      },
    )
  }
}
