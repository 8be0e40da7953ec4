import { redactSecrets, SquizzleError } from '@squizzle/core'
import { basicValue, secretsOf, type CredentialSource, type RegistryCredentials } from './credentials.js'
import type { HttpResponse } from './http-response.js'
import { NetworkFailure, RetryAfterRefused, sendWithRetries } from './http-transport.js'
import type { RegistryLocation } from './registry-url.js'
import type { RetryPolicy } from './retry-policy.js'
import { TokenCache } from './token-cache.js'
import { parseChallenges } from './www-authenticate.js'

/** What a request needs from the registry: read, or read and write. */
export type Access = 'pull' | 'pull,push'

/**
 * Authentication the way the docker CLI and ORAS do it: anonymous until the
 * registry challenges; then Basic, or Bearer tokens fetched from the challenge's
 * realm (with Basic credentials, an OAuth2 refresh token, or anonymously), cached
 * per scope set and refreshed on expiry. Once a registry has asked, later requests
 * carry credentials up front, saving a round trip each.
 */
export class RegistryAuth {
  private mode: 'unknown' | 'basic' | 'bearer' = 'unknown'
  private bearer: { realm: string; service: string | undefined } | undefined
  private readonly tokens = new TokenCache()
  private credentials: Promise<RegistryCredentials | undefined> | undefined
  /** The scope set the registry last asked for, per access: the next request's token covers the same. */
  private readonly scopesFor = new Map<Access, string[]>()

  constructor(
    private readonly location: RegistryLocation,
    private readonly source: CredentialSource | undefined,
    private readonly policy: RetryPolicy,
  ) {}

  /** Every secret known so far (credentials and the tokens they bought), for scrubbing error text. */
  async secrets(): Promise<string[]> {
    return [...secretsOf(await this.credentials?.catch(() => undefined)), ...this.tokens.values()]
  }

  /** The `Authorization` header to send up front, when the registry already told us how. */
  async authorization(access: Access): Promise<string | undefined> {
    if (this.mode === 'basic') {
      const creds = await this.resolveCredentials()
      return creds && 'password' in creds ? `Basic ${basicValue(creds)}` : undefined
    }
    if (this.mode === 'bearer' && this.bearer) {
      const scopes = this.scopesFor.get(access) ?? [this.scope(access)]
      return `Bearer ${this.tokens.get(TokenCache.key(scopes)) ?? (await this.fetchToken(scopes))}`
    }
    return undefined
  }

  /**
   * Learns from a 401's `WWW-Authenticate`. Returns true when the request should be
   * sent again (with {@link authorization}), false when there is nothing more to try.
   */
  async challenge(header: string | null, access: Access, hadAuthorization: boolean): Promise<boolean> {
    const challenges = parseChallenges(header ?? '')
    const bearer = challenges.find((c) => c.scheme === 'bearer')
    const basic = challenges.find((c) => c.scheme === 'basic')
    if (bearer?.params['realm']) {
      const realm = this.checkRealm(bearer.params['realm'])
      const scopes = [this.scope(access), ...(bearer.params['scope']?.split(' ').filter(Boolean) ?? [])]
      this.mode = 'bearer'
      this.bearer = { realm, service: bearer.params['service'] }
      // The caller retries once after a challenge, so a token refused again ends there; a
      // cached token the registry calls invalid (expired early, revoked) is replaced here.
      this.tokens.delete(TokenCache.key(scopes))
      this.scopesFor.set(access, scopes)
      await this.fetchToken(scopes)
      return true
    }
    if (basic) {
      const creds = await this.resolveCredentials()
      if (!creds || !('password' in creds) || (this.mode === 'basic' && hadAuthorization)) return false
      this.mode = 'basic'
      return true
    }
    return false
  }

  private scope(access: Access): string {
    return `repository:${this.location.repository}:${access}`
  }

  private resolveCredentials(): Promise<RegistryCredentials | undefined> {
    this.credentials ??=
      typeof this.source === 'function' ? this.source(this.location.registry) : Promise.resolve(this.source)
    return this.credentials
  }

  /** A token realm on plain HTTP would carry our password in clear text: only when the registry itself is plain HTTP. */
  private checkRealm(realm: string): string {
    let url: URL
    try {
      url = new URL(realm)
    } catch {
      throw this.authError(
        `the registry's token realm "${realm.slice(0, 200)}" is not a URL`,
        'The registry is misconfigured (auth.token.realm).',
      )
    }
    if (url.protocol === 'https:' || (url.protocol === 'http:' && this.location.plainHttp)) return url.toString()
    throw this.authError(
      `the registry sends us to a token server over ${url.protocol} (${url.host}); credentials are never sent without TLS`,
      'Use a token realm on https://, or ?plain-http=true for a test registry on loopback.',
    )
  }

  private async fetchToken(scopes: string[]): Promise<string> {
    const key = TokenCache.key(scopes)
    const creds = await this.resolveCredentials()
    if (creds && 'registryToken' in creds) return creds.registryToken
    const { realm, service } = this.bearer!
    const url = new URL(realm)
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'squizzle' }
    let res: HttpResponse
    try {
      if (creds && 'identityToken' in creds) {
        // OAuth2 refresh-token grant, as docker and oras-go do for identity tokens.
        const form = new URLSearchParams({
          grant_type: 'refresh_token',
          refresh_token: creds.identityToken,
          client_id: 'squizzle',
          scope: [...new Set(scopes)].join(' '),
        })
        if (service) form.set('service', service)
        res = await sendWithRetries(
          {
            method: 'POST',
            url: url.toString(),
            headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
            body: Buffer.from(form.toString()),
          },
          this.policy,
        )
      } else {
        if (service) url.searchParams.set('service', service)
        for (const scope of new Set(scopes)) url.searchParams.append('scope', scope)
        if (creds && 'password' in creds) headers['authorization'] = `Basic ${basicValue(creds)}`
        res = await sendWithRetries({ method: 'GET', url: url.toString(), headers }, this.policy)
      }
    } catch (err) {
      if (err instanceof NetworkFailure)
        throw this.authError(
          `the token server ${url.host} did not answer: ${err.reason}`,
          'Check that the token realm is reachable from here.',
        )
      if (err instanceof RetryAfterRefused) {
        throw this.unavailable(`the token server ${url.host} answered ${err.message}`, 'Retry after that wait.')
      }
      throw err
    }
    const body = await res.text().catch((err: unknown) => {
      const why = err instanceof Error ? err.message : String(err)
      throw this.unavailable(`the token server ${url.host} stopped answering midway: ${why}`, 'Retry later.')
    })
    if (!res.ok) {
      const refused = res.status === 401 || res.status === 403
      throw this.authError(
        redactSecrets(
          `the token server ${url.host} refused ${creds ? 'the credentials' : 'anonymous access'} for ${scopes.join(' ')}: HTTP ${res.status} ${body.slice(0, 200)}`,
          secretsOf(creds),
        ),
        refused
          ? `Check the credentials for ${this.location.registry} (SQUIZZLE_REGISTRY_USERNAME/PASSWORD or docker login).`
          : 'The token server is failing; retry later.',
      )
    }
    let parsed: { token?: unknown; access_token?: unknown; expires_in?: unknown; issued_at?: unknown }
    try {
      parsed = JSON.parse(body) as typeof parsed
    } catch {
      throw this.authError(
        `the token server ${url.host} answered with something that is not JSON`,
        "The registry's token realm is misconfigured.",
      )
    }
    const token =
      typeof parsed.token === 'string'
        ? parsed.token
        : typeof parsed.access_token === 'string'
          ? parsed.access_token
          : ''
    if (!token)
      throw this.authError(
        `the token server ${url.host} answered without a token`,
        "The registry's token realm is misconfigured.",
      )
    this.tokens.set(
      key,
      token,
      typeof parsed.expires_in === 'number' ? parsed.expires_in : undefined,
      typeof parsed.issued_at === 'string' ? parsed.issued_at : undefined,
    )
    return token
  }

  private unavailable(message: string, hint: string): SquizzleError {
    const { registry, repository } = this.location
    const details = { registry, repository }
    return new SquizzleError('REGISTRY_UNAVAILABLE', `${registry}/${repository}: ${message}`, { hint, details })
  }

  private authError(message: string, hint: string): SquizzleError {
    return new SquizzleError(
      'REGISTRY_UNAUTHORIZED',
      `${this.location.registry}/${this.location.repository}: ${message}`,
      {
        hint,
        details: { registry: this.location.registry, repository: this.location.repository },
      },
    )
  }
}
