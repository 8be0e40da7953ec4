import { SquizzleError, type TrustedIdentity, type VerifiedIdentity } from '@squizzle/core'

/**
 * The keyless identity a certificate proves, if the policy trusts it: the issuer
 * must be equal and the subject (SAN) must match a pattern **as a whole**.
 * sigstore-js matches SANs unanchored (`"example"` matches `ci@example.com`),
 * so Squizzle anchors every pattern itself.
 *
 * @example
 * ```ts
 * matchIdentity('https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main', 'https://token.actions.githubusercontent.com',
 *   [{ issuer: 'https://token.actions.githubusercontent.com', subjectPattern: 'https://github\\.com/acme/app/.*' }])
 * ```
 */
export function matchIdentity(
  subject: string | undefined,
  issuer: string | undefined,
  trusted: TrustedIdentity[],
): VerifiedIdentity {
  if (subject && issuer && trusted.some((t) => t.issuer === issuer && anchored(t.subjectPattern).test(subject))) {
    return { method: 'keyless', subject, issuer }
  }
  throw new SquizzleError(
    'POLICY_VIOLATION',
    `signed by ${subject ?? '(no subject)'} (issuer ${issuer ?? 'unknown'}), an identity the trust policy does not list`,
    {
      hint: 'Sign from a trusted identity, or add { issuer, subject } for this signer to trust.identities (subject is a regular expression matched against the whole SAN).',
      details: { subject: subject ?? null, issuer: issuer ?? null, trusted },
    },
  )
}

/**
 * Compiles a policy pattern so that it must match the whole subject.
 *
 * @example
 * ```ts
 * anchored('ci@example\\.com').test('evil-ci@example.com.attacker') // false
 * ```
 */
export function anchored(pattern: string): RegExp {
  try {
    return new RegExp(`^(?:${pattern})$`, 'u')
  } catch (cause) {
    throw new SquizzleError('CONFIG_INVALID', `trust identity subject "${pattern}" is not a valid regular expression`, {
      hint: 'Fix trust.identities[].subject; escape dots and slashes as needed, e.g. https://github\\.com/acme/app/.*',
      cause,
    })
  }
}
