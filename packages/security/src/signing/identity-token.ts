import { CIContextProvider, type IdentityProvider } from '@sigstore/sign'
import { SquizzleError } from '@squizzle/core'

/** The environment variable holding an OIDC identity token for keyless signing. */
export const identityTokenEnvVar = 'SIGSTORE_ID_TOKEN'

/**
 * Where keyless signing gets its OIDC token: `SIGSTORE_ID_TOKEN` when set, else the
 * CI's own provider (GitHub Actions' `ACTIONS_ID_TOKEN_REQUEST_URL`/`_TOKEN`, audience
 * `sigstore`) through @sigstore/sign's `CIContextProvider`, which reads the process environment.
 *
 * @example
 * ```ts
 * const provider = identityTokenProvider(process.env)
 * ```
 */
export function identityTokenProvider(env: Record<string, string | undefined>): IdentityProvider {
  const explicit = env[identityTokenEnvVar]
  if (explicit) return { getToken: async () => explicit }
  const ci = new CIContextProvider('sigstore')
  return {
    getToken: () =>
      ci.getToken().catch(() => {
        throw new SquizzleError('SIGNING_FAILED', 'keyless signing needs an OIDC identity token, and none was found', {
          hint:
            `Set ${identityTokenEnvVar}, or run in GitHub Actions with "permissions: id-token: write". Use ` +
            `signing.method: key to sign offline.`,
        })
      }),
  }
}
